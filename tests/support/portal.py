"""A client with a contact, documents sent to them, and the link to their portal."""
from __future__ import annotations

from typing import Any

from tests.conftest import local_path


def client_with_contact(tenant: Any, name: str = "Portal Co", email: str = "pat@portal.test") -> tuple[str, str]:
    reply = tenant.api.post("/api/v1/clients", {"name": name, "contacts": [{"name": "Pat", "email": email}]})
    assert reply.status == 201
    return str(reply.json["client_id"]), str(reply.json["contacts"][0]["contact_id"])


def make_document(tenant: Any, client_id: str, kind: str = "invoice", amount: int = 10000, send: bool = True,
              **fields: Any) -> dict[str, Any]:
    reply = tenant.api.post(f"/api/v1/{kind}s", {"client_id": client_id,
                                                 "lines": [{"description": "Work", "unit_price": amount}], **fields})
    assert reply.status == 201, reply.body
    if send:
        reply = tenant.api.post(f"/api/v1/{kind}s/{reply.json['id']}/send")
    return reply.json  # type: ignore[no-any-return]


def portal_link(tenant: Any, client_id: str, contact_id: str) -> str:
    reply = tenant.api.post(f"/api/v1/clients/{client_id}/contacts/{contact_id}/portal")
    assert reply.status == 200, reply.body
    return local_path(reply.json["url"])
