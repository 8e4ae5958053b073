"""One business can never read or change another's data, whatever ids it sends."""
from __future__ import annotations

from typing import Any

from tests.support.client_flows import attach


def test_another_business_cannot_reach_my_things_by_id(make_tenant: Any) -> None:
    mine, theirs = make_tenant("Mine"), make_tenant("Theirs")
    invoice = mine.invoice()
    client_id = invoice["client_id"]
    product_id = mine.api.post("/api/v1/products", {"name": "P", "unit_price": 1}).json["product_id"]
    contact_id = mine.api.get(f"/api/v1/clients/{client_id}").json["contacts"][0]["contact_id"]
    attempts = [
        ("GET", f"/api/v1/invoices/{invoice['id']}", None),
        ("PATCH", f"/api/v1/invoices/{invoice['id']}", {"notes": "pwned"}),
        ("POST", f"/api/v1/invoices/{invoice['id']}/payments", {}),
        ("POST", f"/api/v1/invoices/{invoice['id']}/share", {}),
        ("DELETE", f"/api/v1/invoices/{invoice['id']}/share", None),
        ("POST", f"/api/v1/invoices/{invoice['id']}/cancel", {}),
        ("GET", f"/api/v1/clients/{client_id}", None),
        ("PATCH", f"/api/v1/clients/{client_id}", {"name": "pwned"}),
        ("PATCH", f"/api/v1/clients/{client_id}/contacts/{contact_id}", {"name": "pwned"}),
        ("DELETE", f"/api/v1/clients/{client_id}/contacts/{contact_id}", None),
        ("GET", f"/api/v1/products/{product_id}", None),
        ("DELETE", f"/api/v1/products/{product_id}", None),
    ]
    for method, path, body in attempts:
        reply = theirs.api.call(method, path, body)
        assert reply.status == 404, (method, path, reply.status)
    stored = mine.api.get(f"/api/v1/invoices/{invoice['id']}").json
    assert stored["notes"] is None and stored["status"] == "sent" and stored["amount_paid"] == 0
    assert mine.api.get(f"/api/v1/clients/{client_id}").json["name"] == "Acme Ltd"
    assert mine.api.get(f"/api/v1/products/{product_id}").status == 200


def test_an_invoice_cannot_bill_another_business_client_or_product(make_tenant: Any) -> None:
    mine, theirs = make_tenant("Mine"), make_tenant("Theirs")
    their_client = theirs.client_id()
    their_product = theirs.api.post("/api/v1/products", {"name": "P", "unit_price": 1}).json["product_id"]
    assert mine.api.post("/api/v1/invoices", {"client_id": their_client}).status == 404
    reply = mine.api.post("/api/v1/invoices", {"client_id": mine.client_id(), "lines": [{"product_id": their_product}]})
    assert reply.status == 404 and reply.error["field"] == "lines[0].product_id"


def test_lists_show_only_my_business(make_tenant: Any) -> None:
    mine, theirs = make_tenant("Mine"), make_tenant("Theirs")
    theirs.invoice()
    theirs.client_id("Their client")
    assert mine.api.get("/api/v1/invoices").json["items"] == []
    assert mine.api.get("/api/v1/clients").json["items"] == []


def test_a_cursor_from_another_business_is_refused(make_tenant: Any) -> None:
    mine, theirs = make_tenant("Mine"), make_tenant("Theirs")
    cid = theirs.client_id()
    for _ in range(3):
        theirs.api.post("/api/v1/invoices", {"client_id": cid})
    cursor = theirs.api.get("/api/v1/invoices?limit=1").json["next_cursor"]
    assert cursor
    reply = mine.api.get(f"/api/v1/invoices?limit=1&cursor={cursor}")
    assert reply.status == 400 and reply.error["field"] == "cursor"



def test_grant_ids_and_resources_of_another_business_are_not_found(make_tenant: Any) -> None:
    a, b = make_tenant("A"), make_tenant("B")
    rid_a = a.file()
    made = attach(a, rid_a, "client", a.client_id(), "manual")
    gid_a = made["grants"][0]["grant_id"]
    rid_b = b.file()
    attach(b, rid_b, "client", b.client_id(), "manual")
    for path in (f"/api/v1/resources/{rid_a}/grants/{gid_a}/release", f"/api/v1/resources/{rid_b}/grants/{gid_a}/release",
                 f"/api/v1/resources/{rid_a}/grants/release", f"/api/v1/resources/{rid_a}/grants/{gid_a}/explode"):
        reply = b.api.post(path)
        assert reply.status == 404 and reply.error["code"] == "not_found", (path, reply.body)
    assert b.api.get(f"/api/v1/resources/{rid_a}/access-log").status == 404
    assert b.api.post(f"/api/v1/resources/{rid_a}/access-log/exports").status == 404
    assert b.api.post(f"/api/v1/resources/{rid_b}/attachments",
                      {"target_type": "client", "target_id": a.client_id(), "policy": "visible"}).status == 404
    [grant] = a.api.get(f"/api/v1/resources/{rid_a}/grants").json["items"]
    assert grant["state"] == "locked"
