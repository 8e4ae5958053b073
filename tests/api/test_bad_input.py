"""Every staff route refuses bad input with a clear 4xx JSON error and writes nothing."""
from __future__ import annotations

from typing import Any

import pytest

LONG = "x" * 5000
BAD_BODIES: dict[str, list[tuple[Any, str | None]]] = {
    "client": [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": 12}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "A", "email": "nope"}, "email"),
        ({"name": "A", "is_vip": True}, "is_vip"),
        ({"name": "A", "notes": LONG}, "notes"),
        ({"name": "A", "contacts": [{"name": "B"}]}, "contacts[0].email"),
        ({"name": "A", "contacts": [{"name": "B", "email": "b@b.test", "role": "boss"}]}, "contacts[0].role"),
        ([], None),
        ("not json", None),
    ],
    "product": [
        ({"name": "P"}, "unit_price"),
        ({"name": "P", "unit_price": -1}, "unit_price"),
        ({"name": "P", "unit_price": 1.5}, "unit_price"),
        ({"name": "P", "unit_price": "100"}, "unit_price"),
        ({"name": "P", "unit_price": True}, "unit_price"),
        ({"name": "P", "unit_price": 100, "tax_rate_bp": 10001}, "tax_rate_bp"),
        ({"name": "P", "unit_price": 10**13}, "unit_price"),
    ],
    "invoice": [
        ({}, "client_id"),
        ({"client_id": "does-not-exist"}, "client_id"),
        ({"client_id": "CID", "currency": "XXX"}, "currency"),
        ({"client_id": "CID", "currency": "eur"}, "currency"),
        ({"client_id": "CID", "due_date": "2020-01-01", "issue_date": "2021-01-01"}, "due_date"),
        ({"client_id": "CID", "issue_date": "31/12/2026"}, "issue_date"),
        ({"client_id": "CID", "lines": [{"description": "x", "unit_price": 1, "quantity": -1}]}, "lines[0].quantity"),
        ({"client_id": "CID", "lines": [{"description": "x", "unit_price": 1, "quantity": 0}]}, "lines[0].quantity"),
        ({"client_id": "CID", "lines": [{"description": "x", "unit_price": 1, "quantity": "NaN"}]}, "lines[0].quantity"),
        ({"client_id": "CID", "lines": [{"description": "x", "unit_price": 1, "quantity": "1e400"}]}, "lines[0].quantity"),
        ({"client_id": "CID", "lines": [{"description": "x", "unit_price": -5}]}, "lines[0].unit_price"),
        ({"client_id": "CID", "lines": [{"description": "x"}]}, "lines[0].unit_price"),
        ({"client_id": "CID", "lines": [{"unit_price": 5}]}, "lines[0].description"),
        ({"client_id": "CID", "lines": [{"description": "x", "unit_price": 5, "discount_bp": 20000}]}, "lines[0].discount_bp"),
        ({"client_id": "CID", "lines": [{"product_id": "nope"}]}, "lines[0].product_id"),
        ({"client_id": "CID", "lines": [{"description": "x", "unit_price": 1}] * 201}, "lines"),
        ({"client_id": "CID", "lines": [{"description": "x", "unit_price": 10**12, "quantity": 1000000}]}, "lines"),
        ({"client_id": "CID", "status": "paid"}, "status"),
        ({"client_id": "CID", "notes": LONG}, "notes"),
        ({"client_id": "../../etc"}, "client_id"),
    ],
    "business": [
        ({"currency": "ABC"}, "currency"),
        ({"brand_color": "red"}, "brand_color"),
        ({"brand_color": "#fff;}body{display:none"}, "brand_color"),
        ({"payment_terms_days": -1}, "payment_terms_days"),
        ({"name": None}, "name"),
        ({"business_id": "steal"}, "business_id"),
        ({"logo_key": "branding/someone-else/logo.png"}, "logo_key"),
    ],
    "payment": [
        ({"amount": 0}, "amount"),
        ({"amount": -100}, "amount"),
        ({"amount": "100"}, "amount"),
        ({"method": "bitcoin"}, "method"),
        ({"received_on": "yesterday"}, "received_on"),
    ],
}


def _stored_state(tenant: Any) -> tuple[int, int, int]:
    return (
        len(tenant.api.get("/api/v1/clients?limit=100").json["items"]),
        len(tenant.api.get("/api/v1/products?limit=100").json["items"]),
        len(tenant.api.get("/api/v1/invoices?limit=100").json["items"]),
    )


def _substitute(body: Any, client_id: str) -> Any:
    if isinstance(body, dict) and body.get("client_id") == "CID":
        return {**body, "client_id": client_id}
    return body


@pytest.mark.parametrize("kind", ["client", "product", "invoice", "business", "payment"])
def test_bad_bodies_are_400_with_the_field_named_and_nothing_written(tenant: Any, kind: str) -> None:
    client_id = tenant.client_id()
    invoice = tenant.invoice()
    routes = {
        "client": ("POST", "/api/v1/clients"),
        "product": ("POST", "/api/v1/products"),
        "invoice": ("POST", "/api/v1/invoices"),
        "business": ("PATCH", "/api/v1/business"),
        "payment": ("POST", f"/api/v1/invoices/{invoice['id']}/payments"),
    }
    method, path = routes[kind]
    before = _stored_state(tenant)
    business_before = tenant.api.get("/api/v1/business").json
    for body, field in BAD_BODIES[kind]:
        reply = tenant.api.call(method, path, _substitute(body, client_id))
        assert 400 <= reply.status < 500, (body, reply.status)
        assert reply.status != 500
        error = reply.error
        assert error["code"] in ("invalid", "not_found") and error["message"], body
        if field:
            assert error["field"] == field, (body, error)
    assert _stored_state(tenant) == before
    assert tenant.api.get("/api/v1/business").json == business_before
    assert tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json["payments"] == []


@pytest.mark.parametrize("path", [
    "/api/v1/invoices?limit=0", "/api/v1/invoices?limit=101", "/api/v1/invoices?limit=abc",
    "/api/v1/clients?cursor=%%%", "/api/v1/clients?cursor=eyJub3QiOiAiYSBrZXkifQ",
    "/api/v1/products?cursor=" + "A" * 2000,
])
def test_bad_query_parameters_are_400(tenant: Any, path: str) -> None:
    reply = tenant.api.get(path)
    assert reply.status == 400, reply.body
    assert reply.error["field"] in ("limit", "cursor")


def test_updates_refuse_unknown_fields_and_bad_values(tenant: Any) -> None:
    invoice = tenant.invoice(sent=False)
    path = f"/api/v1/invoices/{invoice['id']}"
    for body, field in [({"total": 1}, "total"), ({"status": "paid"}, "status"), ({"amount_paid": 5}, "amount_paid"),
                        ({"lines": [{"description": "x", "unit_price": 1, "quantity": -2}]}, "lines[0].quantity"),
                        ({"due_date": "1999-01-01"}, "due_date")]:
        reply = tenant.api.patch(path, body)
        assert reply.status == 400 and reply.error["field"] == field, (body, reply.body)
    assert tenant.api.get(path).json["total"] == invoice["total"]


def test_an_oversized_body_is_refused(tenant: Any) -> None:
    reply = tenant.api.post("/api/v1/clients", {"name": "A", "notes": "x" * 300_000})
    assert reply.status == 400


def test_missing_body_is_400(tenant: Any) -> None:
    reply = tenant.api.call("POST", "/api/v1/clients", None)
    assert reply.status == 400 and "JSON" in reply.error["message"]


def test_unknown_ids_are_404(tenant: Any) -> None:
    for path in ("/api/v1/invoices/nope", "/api/v1/quotes/nope", "/api/v1/clients/nope", "/api/v1/products/nope"):
        reply = tenant.api.get(path)
        assert reply.status == 404 and reply.error["code"] == "not_found"
