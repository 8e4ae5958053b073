"""Roles come from Cognito groups; every staff route enforces its permission."""
from __future__ import annotations

from typing import Any

import pytest

from tests.support.replies import assert_error_shape

WRITES = [
    ("PATCH", "/api/v1/business", {"name": "Renamed"}),
    ("POST", "/api/v1/clients", {"name": "New client"}),
    ("POST", "/api/v1/products", {"name": "Thing", "unit_price": 100}),
    ("POST", "/api/v1/invoices", {"client_id": "x"}),
    ("POST", "/api/v1/quotes", {"client_id": "x"}),
]


@pytest.mark.parametrize("method, path, body", WRITES)
def test_a_viewer_can_read_but_not_write(tenant: Any, member_of: Any, method: str, path: str, body: dict[str, Any]) -> None:
    viewer = member_of(tenant, "viewer")
    assert viewer.get(path).status == 200
    reply = viewer.call(method, path, body)
    assert reply.status == 403
    assert reply.error["code"] == "forbidden"


def test_staff_can_invoice_but_not_change_the_business(tenant: Any, member_of: Any) -> None:
    staff = member_of(tenant, "staff")
    assert staff.patch("/api/v1/business", {"name": "Mine now"}).status == 403
    client = staff.post("/api/v1/clients", {"name": "Client of staff"})
    assert client.status == 201
    invoice = staff.post("/api/v1/invoices", {"client_id": client.json["client_id"]})
    assert invoice.status == 201


def test_a_viewer_cannot_share_or_mark_paid(tenant: Any, member_of: Any) -> None:
    invoice = tenant.invoice()
    viewer = member_of(tenant, "viewer")
    assert viewer.post(f"/api/v1/invoices/{invoice['id']}/share").status == 403
    assert viewer.post(f"/api/v1/invoices/{invoice['id']}/payments", {}).status == 403
    assert tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json["amount_paid"] == 0



def test_only_managers_can_get_a_logo_upload_url(tenant: Any, member_of: Any) -> None:
    body = {"content_type": "image/png", "size": 1000}
    for role in ("staff", "viewer"):
        assert_error_shape(member_of(tenant, role).post("/api/v1/business/logo-upload", body), 403)
    assert tenant.api.post("/api/v1/business/logo-upload", body).status == 201
