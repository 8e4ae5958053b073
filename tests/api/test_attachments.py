"""Attaching resources to clients, products, invoices, quotes and projects; detaching; staff
views of who can access what; release/lock/revoke for all of a resource; access logs per
client and invoice; log retention."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Api, local_path
from tests.support.client_flows import JSON, attach
from tests.support.exports import export_csv


def _product(tenant: Any, name: str = "Course") -> str:
    reply = tenant.api.post("/api/v1/products", {"name": name, "unit_price": 5000})
    assert reply.status == 201
    return str(reply.json["product_id"])


def _resources_on_page(anonymous: Api, share_url: str) -> list[dict[str, Any]]:
    return anonymous.get(local_path(share_url), headers=JSON).json["invoice"]["resources"]  # type: ignore[no-any-return]


def test_a_products_resources_reach_every_invoice_that_sells_it(tenant: Any, anonymous: Api) -> None:
    product = _product(tenant)
    before = tenant.invoice(lines=[{"product_id": product}])
    other = tenant.invoice(lines=[{"description": "Unrelated", "unit_price": 100}])
    attached = attach(tenant, tenant.file(), "product", product, "after_payment")
    # The invoice already sent gets its grant now; an invoice without the product gets none.
    assert [g["doc_id"] for g in attached["grants"]] == [before["id"]]
    after = tenant.invoice(lines=[{"product_id": product}, {"description": "Setup", "unit_price": 100}])
    draft = tenant.invoice(lines=[{"product_id": product}], sent=False)
    for invoice, expected in [(before, 1), (after, 1), (other, 0), (draft, 0)]:
        assert len(tenant.api.get(f"/api/v1/invoices/{invoice['id']}/grants").json["items"]) == expected
    [shown] = _resources_on_page(anonymous, tenant.share(after["id"]))
    assert shown["status"] == "available after payment"
    tenant.api.post(f"/api/v1/invoices/{after['id']}/payments", {"amount": after["total"]})
    [shown] = _resources_on_page(anonymous, tenant.share(after["id"]))
    assert shown["status"] == "available" and shown["download_url"]


def test_a_draft_that_sells_the_product_gets_its_resources_when_sent_once(tenant: Any) -> None:
    product = _product(tenant)
    draft = tenant.invoice(lines=[{"product_id": product}], sent=False)
    attach(tenant, tenant.file(), "product", product, "visible")
    assert tenant.api.get(f"/api/v1/invoices/{draft['id']}/grants").json["items"] == []
    assert tenant.api.post(f"/api/v1/invoices/{draft['id']}/send").status == 200
    assert tenant.api.post(f"/api/v1/invoices/{draft['id']}/send").status == 409
    [grant] = tenant.api.get(f"/api/v1/invoices/{draft['id']}/grants").json["items"]
    assert grant["state"] == "available" and grant["target_type"] == "product"


def test_internal_attachments_give_clients_nothing(tenant: Any, anonymous: Api) -> None:
    invoice = tenant.invoice()
    attached = attach(tenant, tenant.file(), "invoice", invoice["id"], "internal")
    assert attached["grants"] == [] and attached["attachment"]["policy"] == "internal"
    assert _resources_on_page(anonymous, tenant.share(invoice["id"])) == []
    client = tenant.client_id()
    assert attach(tenant, tenant.file(), "client", client, "internal")["grants"] == []
    assert tenant.api.get(f"/api/v1/clients/{client}/grants").json["items"] == []


@pytest.mark.parametrize("target_type, policy", [("quote", "after_payment"), ("client", "after_payment"),
                                                 ("product", "claim_link"), ("planet", "visible")])
def test_policies_a_target_cannot_carry_are_refused_and_nothing_is_written(
        tenant: Any, target_type: str, policy: str) -> None:
    rid = tenant.file()
    reply = tenant.api.post(f"/api/v1/resources/{rid}/attachments",
                            {"target_type": target_type, "target_id": tenant.client_id(), "policy": policy})
    assert reply.status == 400 and reply.error["field"] in ("policy", "target_type")
    assert tenant.api.get(f"/api/v1/resources/{rid}/attachments").json["items"] == []


def test_attachments_to_a_quote_and_a_project_reach_their_client(tenant: Any) -> None:
    client = tenant.client_id()
    quote = tenant.api.post("/api/v1/quotes", {"client_id": client, "lines": [{"description": "Plan", "unit_price": 100}]}).json
    project = tenant.api.post("/api/v1/projects", {"client_id": client, "name": "Website"})
    assert project.status == 201 and project.json["name"] == "Website"
    attach(tenant, tenant.file(), "quote", quote["id"], "visible")
    attach(tenant, tenant.file(), "project", project.json["id"], "manual")
    grants = tenant.api.get(f"/api/v1/clients/{client}/grants").json["items"]
    assert sorted((g["target_type"], g["state"]) for g in grants) == [("project", "locked"), ("quote", "available")]


def test_targets_of_another_business_are_not_found(tenant: Any, make_tenant: Any) -> None:
    theirs = make_tenant("Other")
    their_client, their_invoice = theirs.client_id(), theirs.invoice()
    rid = tenant.file()
    for target_type, target_id in [("client", their_client), ("invoice", their_invoice["id"]),
                                   ("product", _product(theirs))]:
        reply = tenant.api.post(f"/api/v1/resources/{rid}/attachments",
                                {"target_type": target_type, "target_id": target_id, "policy": "visible"})
        assert reply.status == 404
    assert theirs.api.get(f"/api/v1/resources/{rid}/grants").status == 404
    assert theirs.api.post(f"/api/v1/resources/{rid}/grants/release").status == 404
    assert theirs.api.get(f"/api/v1/clients/{tenant.client_id()}/access-log").status == 404


def test_detaching_revokes_what_it_gave_and_payments_never_reopen_it(tenant: Any, anonymous: Api) -> None:
    invoice = tenant.invoice()
    rid = tenant.file()
    attached = attach(tenant, rid, "invoice", invoice["id"], "after_payment")
    download = local_path(attached["grants"][0]["download_url"])
    reply = tenant.api.delete(f"/api/v1/resources/{rid}/attachments/{attached['attachment']['attachment_id']}")
    assert reply.status == 200 and reply.json["grants_revoked"] == 1
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {"amount": 10000})
    [grant] = tenant.api.get(f"/api/v1/resources/{rid}/grants").json["items"]
    assert (grant["state"], grant["reason"]) == ("revoked", "detached")
    assert _resources_on_page(anonymous, tenant.share(invoice["id"])) == []
    assert anonymous.get(download).status == 403
    assert tenant.api.post(f"/api/v1/resources/{rid}/grants/{grant['grant_id']}/release").status == 409
    assert tenant.api.get(f"/api/v1/resources/{rid}/attachments").json["items"] == []


def test_detaching_a_claim_link_kills_the_claim_url(tenant: Any, anonymous: Api) -> None:
    rid = tenant.file()
    attached = attach(tenant, rid, "client", tenant.client_id(), "claim_link")
    claim = local_path(attached["attachment"]["claim_url"])
    assert anonymous.get(claim).status == 200
    tenant.api.delete(f"/api/v1/resources/{rid}/attachments/{attached['attachment']['attachment_id']}")
    assert anonymous.get(claim).status == 404


def test_release_and_lock_all_of_a_resource(tenant: Any, anonymous: Api) -> None:
    rid = tenant.file()
    invoices = [tenant.invoice(), tenant.invoice()]
    for invoice in invoices:
        attach(tenant, rid, "invoice", invoice["id"], "manual")
    attach(tenant, rid, "client", tenant.client_id(), "claim_link")  # unclaimed: never released in bulk
    released = tenant.api.post(f"/api/v1/resources/{rid}/grants/release").json
    assert released["changed"] == 2
    for invoice in invoices:
        assert _resources_on_page(anonymous, tenant.share(invoice["id"]))[0]["status"] == "available"
    assert tenant.api.post(f"/api/v1/resources/{rid}/grants/lock").json["changed"] == 2
    states = sorted(g["state"] for g in tenant.api.get(f"/api/v1/resources/{rid}/grants").json["items"])
    assert states == ["locked", "locked", "locked"]
    assert tenant.api.post(f"/api/v1/resources/{rid}/grants/explode").status == 404


def test_access_logs_per_client_and_invoice_with_csv(tenant: Any, anonymous: Api, exports_worker: Any) -> None:
    invoice = tenant.invoice()
    attached = attach(tenant, tenant.file(), "invoice", invoice["id"], "visible")
    assert anonymous.get(local_path(attached["grants"][0]["download_url"])).status == 302
    client = invoice["client_id"]
    for path in (f"/api/v1/clients/{client}/access-log", f"/api/v1/invoices/{invoice['id']}/access-log"):
        [entry] = tenant.api.get(path).json["items"]
        assert (entry["action"], entry["result"], entry["actor"]) == ("download", "ok", "link")
        ready, text = export_csv(tenant.api, path, exports_worker)
        assert ready["rows"] == 1 and "download,ok,link" in text
    assert tenant.api.get(f"/api/v1/invoices/{invoice['id']}/access-log?cursor=bogus").status == 400


def test_log_retention_is_a_business_setting_applied_as_ttl(tenant: Any, anonymous: Api) -> None:
    from chalicelib.store.access_log import AccessLog, log_pk

    assert tenant.api.patch("/api/v1/business", {"log_retention_days": 10}).status == 400
    assert tenant.api.patch("/api/v1/business", {"log_retention_days": 90}).status == 200
    invoice = tenant.invoice()
    attached = attach(tenant, tenant.file(), "invoice", invoice["id"], "visible")
    anonymous.get(local_path(attached["grants"][0]["download_url"]))
    [entry] = AccessLog.query(log_pk(tenant.business_id, attached["attachment"]["resource_id"]))
    assert entry.expires_at is not None
    logged_at = datetime.fromisoformat(entry.at.replace("Z", "+00:00"))
    assert abs(entry.expires_at - (logged_at + timedelta(days=90))) < timedelta(seconds=2)


def test_viewers_see_who_can_access_but_cannot_attach_or_release(tenant: Any, member_of: Any) -> None:
    rid = tenant.file()
    client = tenant.client_id()
    viewer = member_of(tenant, "viewer")
    body = {"target_type": "client", "target_id": client, "policy": "visible"}
    assert viewer.post(f"/api/v1/resources/{rid}/attachments", body).status == 403
    attach(tenant, rid, "client", client, "manual")
    assert viewer.get(f"/api/v1/resources/{rid}/grants").status == 200
    assert viewer.get(f"/api/v1/clients/{client}/grants").status == 200
    assert viewer.post(f"/api/v1/resources/{rid}/grants/release").status == 403



def test_a_products_grant_is_not_duplicated_by_repeated_lines_or_reattachment_listing(tenant: Any) -> None:
    product = tenant.api.post("/api/v1/products", {"name": "Course", "unit_price": 5000}).json["product_id"]
    attach(tenant, tenant.file(), "product", product, "visible")
    invoice = tenant.invoice(lines=[{"product_id": product}, {"product_id": product}])
    assert len(tenant.api.get(f"/api/v1/invoices/{invoice['id']}/grants").json["items"]) == 1
