"""Access logs name what they are about (file, invoice, client, contact) on screen and in the
CSV, read in one BatchGet per page; "revoke all" says who loses access before it is confirmed;
a claimer who is already a contact joins their own client."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Api, QueueWorker, local_path
from tests.support.client_flows import attach, claim, claim_link, new_client
from tests.support.exports import export_csv


def _seed(tenant: Any, resource_id: str, client: dict[str, Any], doc_id: str, count: int) -> None:
    """`count` entries about one file, invoice and client, by its contact (as downloads write them)."""
    from chalicelib.store import access_log

    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    contact_id = client["contacts"][0]["contact_id"]
    for n in range(count):
        access_log.new_entry(tenant.business_id, f"named{n:03d}", start + timedelta(minutes=n), None,
                             resource_id=resource_id, client_id=client["client_id"], doc_id=doc_id,
                             actor=f"contact:{contact_id}", action="download", result="ok", ip="203.0.113.9").save()


def test_the_log_shows_names_with_one_batch_read_for_the_whole_page(
        tenant: Any, dynamodb_calls: list[str]) -> None:
    rid = tenant.file(title="Brand guidelines")
    client = new_client(tenant, "Globex Corp", "hank@globex.test")
    invoice = tenant.api.post("/api/v1/invoices", {"client_id": client["client_id"],
                                                   "lines": [{"description": "Work", "unit_price": 5000}]}).json
    _seed(tenant, rid, client, invoice["id"], 30)
    for path in (f"/api/v1/resources/{rid}/access-log", f"/api/v1/clients/{client['client_id']}/access-log",
                 f"/api/v1/invoices/{invoice['id']}/access-log"):
        dynamodb_calls.clear()
        page = tenant.api.get(f"{path}?limit=25")
        assert page.status == 200 and len(page.json["items"]) == 25
        entry = page.json["items"][0]
        assert (entry["resource_title"], entry["doc_number"], entry["client_name"], entry["actor_name"]) == (
            "Brand guidelines", invoice["number"], "Globex Corp", "Globex Corp")
        assert entry["resource_id"] == rid  # the ids stay, for scripts
        # 25 entries, 4 names: one BatchGetItem (no read per entry), beside the scope check and the page.
        assert dynamodb_calls.count("BatchGetItem") == 1, dynamodb_calls
        assert "GetItem" not in dynamodb_calls[dynamodb_calls.index("Query"):] and len(dynamodb_calls) <= 4


def test_a_removed_file_keeps_its_id_and_shows_no_name(tenant: Any) -> None:
    from chalicelib.store import access_log

    client = new_client(tenant, "Initech", "peter@initech.test")
    access_log.new_entry(tenant.business_id, "orphan", datetime(2026, 11, 2, tzinfo=UTC), None,
                         resource_id="gone-resource", client_id=client["client_id"], actor="link",
                         action="view", result="ok").save()
    [entry] = tenant.api.get(f"/api/v1/clients/{client['client_id']}/access-log").json["items"]
    assert entry["resource_id"] == "gone-resource" and entry["resource_title"] is None
    assert entry["client_name"] == "Initech" and entry["actor_name"] is None


def test_the_csv_export_has_each_name_beside_its_id(
        tenant: Any, exports_worker: QueueWorker, dynamodb_calls: list[str]) -> None:
    rid = tenant.file(title="=Contract draft")  # a name is defused like any other cell
    client = new_client(tenant, "Umbrella plc", "alice@umbrella.test")
    invoice = tenant.api.post("/api/v1/invoices", {"client_id": client["client_id"],
                                                   "lines": [{"description": "Work", "unit_price": 5000}]}).json
    _seed(tenant, rid, client, invoice["id"], 250)
    dynamodb_calls.clear()
    _, text = export_csv(tenant.api, f"/api/v1/resources/{rid}/access-log", exports_worker)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 250
    assert list(rows[0]) == ["at", "action", "result", "actor", "actor_name", "client_id", "client_name", "doc_id",
                             "doc_number", "grant_id", "resource_id", "resource_title", "ip", "user_agent"]
    assert {(r["resource_title"], r["doc_number"], r["client_name"], r["actor_name"]) for r in rows} == {
        ("'=Contract draft", invoice["number"], "Umbrella plc", "Umbrella plc")}
    # 250 entries in batches of 100: the names are read once (the first batch), not per row or per batch.
    assert dynamodb_calls.count("BatchGetItem") == 1, dynamodb_calls


def test_revoke_all_says_who_loses_access_before_anything_changes(tenant: Any, make_tenant: Any) -> None:
    rid = tenant.file(title="Photo pack")
    acme = new_client(tenant, "Acme Ltd", "ada@acme.test")
    tenant.api.post(f"/api/v1/clients/{acme['client_id']}/contacts", {"name": "Bea", "email": "bea@acme.test"})
    globex = new_client(tenant, "Globex Corp", "hank@globex.test")
    attach(tenant, rid, "client", acme["client_id"], "visible")
    attach(tenant, rid, "client", globex["client_id"], "manual")  # locked: revoking it takes nothing visible, still listed
    effect = tenant.api.get(f"/api/v1/resources/{rid}/grants/revoke")
    assert effect.status == 200 and effect.json["grants"] == 2
    people = {c["name"]: sorted(p["email"] for p in c["contacts"]) for c in effect.json["clients"]}
    assert people == {"Acme Ltd": ["ada@acme.test", "bea@acme.test"], "Globex Corp": ["hank@globex.test"]}
    # Asking changed nothing.
    states = {g["state"] for g in tenant.api.get(f"/api/v1/resources/{rid}/grants").json["items"]}
    assert "revoked" not in states
    release = tenant.api.get(f"/api/v1/resources/{rid}/grants/release").json
    assert [c["name"] for c in release["clients"]] == ["Globex Corp"]
    assert tenant.api.get(f"/api/v1/resources/{rid}/grants/delete").status == 404
    assert make_tenant("Other").api.get(f"/api/v1/resources/{rid}/grants/revoke").status == 404


def test_a_claimed_link_lists_only_the_claimer(tenant: Any, anonymous: Api, outbox: Any) -> None:
    acme = new_client(tenant, "Acme Ltd", "ada@acme.test")
    tenant.api.post(f"/api/v1/clients/{acme['client_id']}/contacts", {"name": "Bea", "email": "bea@acme.test"})
    offered = claim_link(tenant, acme["client_id"])
    assert claim(anonymous, outbox, local_path(offered["claim_url"]), "bea@acme.test").status == 303
    effect = tenant.api.get(f"/api/v1/resources/{offered['resource_id']}/grants/revoke").json
    assert [(c["name"], c["only_claimer"], [p["email"] for p in c["contacts"]]) for c in effect["clients"]] == [
        ("Acme Ltd", True, ["bea@acme.test"])]


def test_a_claimer_who_is_already_a_contact_joins_their_client_not_a_new_one(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    offered_to = new_client(tenant, "Acme Ltd", "ada@acme.test")
    existing = new_client(tenant, "Globex Corp", "hank@globex.test")
    before = len(tenant.api.get("/api/v1/clients").json["items"])
    offered = claim_link(tenant, offered_to["client_id"])
    # The address as the claimer typed it, in another case: still the same person.
    assert claim(anonymous, outbox, local_path(offered["claim_url"]), "Hank@Globex.test").status == 303
    [grant] = tenant.api.get(f"/api/v1/resources/{offered['resource_id']}/grants").json["items"]
    assert grant["client_id"] == existing["client_id"]
    assert grant["claimed_by"] == existing["contacts"][0]["contact_id"]
    assert len(tenant.api.get("/api/v1/clients").json["items"]) == before  # no new client was made
    assert [g["grant_id"] for g in tenant.api.get(f"/api/v1/clients/{existing['client_id']}/grants").json["items"]] == [
        grant["grant_id"]]
