"""Clients with contacts, products, and the business profile through the staff API."""
from __future__ import annotations

import base64
import json
from typing import Any

import requests

from tests.support.replies import assert_error_shape


def test_a_client_is_created_with_several_contacts(tenant: Any) -> None:
    reply = tenant.api.post("/api/v1/clients", {
        "name": "Acme Robotics", "email": "accounts@acme.test", "address": "Hafen 9\nHamburg",
        "contacts": [
            {"name": "Ada", "email": "ada@acme.test", "is_primary": True},
            {"name": "Grace", "email": "grace@acme.test"},
        ],
    })
    assert reply.status == 201
    client = tenant.api.get(f"/api/v1/clients/{reply.json['client_id']}").json
    assert client["name"] == "Acme Robotics"
    assert sorted(c["email"] for c in client["contacts"]) == ["ada@acme.test", "grace@acme.test"]


def test_contacts_can_be_added_changed_and_removed(tenant: Any) -> None:
    client_id = tenant.client_id()
    added = tenant.api.post(f"/api/v1/clients/{client_id}/contacts", {"name": "Linus", "email": "linus@acme.test"})
    assert added.status == 201
    path = f"/api/v1/clients/{client_id}/contacts/{added.json['contact_id']}"
    assert tenant.api.patch(path, {"phone": "+44 20 1234"}).json["phone"] == "+44 20 1234"
    assert tenant.api.delete(path).status == 200
    emails = [c["email"] for c in tenant.api.get(f"/api/v1/clients/{client_id}").json["contacts"]]
    assert emails == ["ada@acme.test"]
    assert tenant.api.delete(path).status == 404


def test_client_updates_can_clear_optional_fields(tenant: Any) -> None:
    client_id = tenant.api.post("/api/v1/clients", {"name": "A", "phone": "123"}).json["client_id"]
    updated = tenant.api.patch(f"/api/v1/clients/{client_id}", {"phone": None, "notes": "VIP"})
    assert updated.status == 200
    assert updated.json["phone"] is None and updated.json["notes"] == "VIP"


def test_a_contact_cannot_be_added_to_a_missing_client(tenant: Any) -> None:
    reply = tenant.api.post("/api/v1/clients/missing/contacts", {"name": "X", "email": "x@x.test"})
    assert reply.status == 404


def test_products_crud(tenant: Any) -> None:
    created = tenant.api.post("/api/v1/products", {"name": "Hour", "unit_price": 9500, "tax_rate_bp": 1900})
    assert created.status == 201
    path = f"/api/v1/products/{created.json['product_id']}"
    assert tenant.api.patch(path, {"unit_price": 9900}).json["unit_price"] == 9900
    assert [p["name"] for p in tenant.api.get("/api/v1/products").json["items"]] == ["Hour"]
    assert tenant.api.delete(path).status == 200
    assert tenant.api.get(path).status == 404


def test_business_branding_is_saved_and_shown(tenant: Any) -> None:
    reply = tenant.api.patch("/api/v1/business", {
        "name": "Northwind", "brand_color": "#112233", "currency": "GBP", "invoice_footer": "Thanks", "address": "1 Road",
    })
    assert reply.status == 200
    profile = tenant.api.get("/api/v1/business").json
    assert (profile["name"], profile["brand_color"], profile["currency"]) == ("Northwind", "#112233", "GBP")
    client_id = tenant.client_id()
    assert tenant.api.post("/api/v1/invoices", {"client_id": client_id}).json["currency"] == "GBP"


def test_logo_upload_goes_straight_to_s3_and_appears_on_the_invoice_page(tenant: Any, anonymous: Any) -> None:
    upload = tenant.api.post("/api/v1/business/logo-upload", {"content_type": "image/png", "size": 68})
    assert upload.status == 201
    plan = upload.json
    assert plan["key"].startswith(f"branding/{tenant.business_id}/")
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 39
    sent = requests.post(plan["url"], data=plan["fields"], files={"file": ("logo.png", png, "image/png")}, timeout=10)
    assert sent.status_code in (200, 204)
    assert tenant.api.patch("/api/v1/business", {"logo_key": plan["key"]}).status == 200
    invoice = tenant.invoice()
    path = tenant.share(invoice["id"]).split("example.test", 1)[1]
    logo_url = anonymous.get(path, headers={"Accept": "application/json"}).json["business"]["logo_url"]
    assert "X-Amz-Signature=" in logo_url and "X-Amz-Expires=300" in logo_url
    assert requests.get(logo_url, timeout=10).content == png


def test_logo_upload_policy_limits_type_and_size(tenant: Any) -> None:
    assert tenant.api.post("/api/v1/business/logo-upload", {"content_type": "image/svg+xml", "size": 10}).status == 400
    assert tenant.api.post("/api/v1/business/logo-upload", {"content_type": "image/png", "size": 2_000_000}).status == 400
    plan = tenant.api.post("/api/v1/business/logo-upload", {"content_type": "image/png", "size": 10}).json

    policy = json.loads(base64.b64decode(plan["fields"]["policy"]))
    assert ["content-length-range", 1, 1_000_000] in policy["conditions"]
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert {"key": plan["key"]} in policy["conditions"]


def test_a_logo_key_that_was_never_uploaded_is_refused(tenant: Any) -> None:
    reply = tenant.api.patch("/api/v1/business", {"logo_key": f"branding/{tenant.business_id}/logo-missing.png"})
    assert reply.status == 400 and reply.error["field"] == "logo_key"



def test_a_contact_cannot_be_changed_or_removed_through_another_clients_url(tenant: Any) -> None:
    owner_id, other_id = tenant.client_id("Owner Ltd"), tenant.client_id("Other Ltd")
    contact = tenant.api.get(f"/api/v1/clients/{owner_id}").json["contacts"][0]
    through_other = f"/api/v1/clients/{other_id}/contacts/{contact['contact_id']}"
    assert_error_shape(tenant.api.patch(through_other, {"name": "Hijacked"}), 404)
    assert_error_shape(tenant.api.delete(through_other), 404)
    assert tenant.api.get(f"/api/v1/clients/{owner_id}").json["contacts"] == [contact]
    assert tenant.api.get(f"/api/v1/clients/{other_id}").json["contacts"][0]["contact_id"] != contact["contact_id"]
