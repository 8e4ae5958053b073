"""Quotes in the portal: approve (name, PO, terms) or decline with a reason; an approved quote
becomes a sent invoice the client is taken to pay; staff are told."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.support.client_flows import FORM, JSON
from tests.support.portal import client_with_contact, make_document, portal_link


@pytest.fixture
def quote_in_portal(tenant: Any) -> dict[str, Any]:
    assert tenant.api.patch("/api/v1/business", {"email": "owner@biz.test", "stripe_enabled": True}).status == 200
    client_id, contact_id = client_with_contact(tenant)
    quote = make_document(tenant, client_id, kind="quote", amount=25000)
    path = portal_link(tenant, client_id, contact_id)
    return {"quote": quote, "portal": path, "page": f"{path}/quotes/{quote['id']}", "client_id": client_id}


def test_approving_a_quote_makes_a_sent_invoice_and_takes_the_client_to_pay_it(
        tenant: Any, anonymous: Api, outbox: Any, quote_in_portal: dict[str, Any]) -> None:
    page = quote_in_portal["page"]
    assert 'data-testid="approve"' in anonymous.get(page).text
    reply = anonymous.call("POST", f"{page}/approve", "name=Pat+Doe&po_number=PO-42", headers=FORM)
    assert reply.status == 303
    invoice_page = reply.headers["Location"]
    assert "/invoices/" in invoice_page
    invoice_id = invoice_page.rsplit("/", 1)[1]
    invoice = tenant.api.get(f"/api/v1/invoices/{invoice_id}").json
    assert (invoice["status"], invoice["total"], invoice["po_number"]) == ("sent", 25000, "PO-42")
    assert invoice["quote_id"] == quote_in_portal["quote"]["id"]
    quote = tenant.api.get(f"/api/v1/quotes/{quote_in_portal['quote']['id']}").json
    assert (quote["status"], quote["decided_by_name"], quote["converted_invoice_id"]) == ("accepted", "Pat Doe", invoice_id)
    shown = anonymous.get(invoice_page.replace("https://pay.example.test", ""))
    assert 'data-testid="pay"' in shown.text
    [note] = outbox.to("owner@biz.test")
    assert note.subject == f"Quote {quote['number']} approved" and invoice["number"] in note.text
    # Deciding twice is refused; nothing is converted twice.
    again = anonymous.call("POST", f"{page}/approve", "", headers={**FORM, **JSON})
    assert again.status == 409
    assert len(tenant.api.get("/api/v1/invoices").json["items"]) == 1


def test_declining_needs_a_reason_and_tells_staff(
        tenant: Any, anonymous: Api, outbox: Any, quote_in_portal: dict[str, Any]) -> None:
    page = quote_in_portal["page"]
    assert anonymous.call("POST", f"{page}/decline", "reason=", headers={**FORM, **JSON}).status == 400
    assert anonymous.call("POST", f"{page}/decline", "reason=Too+expensive", headers=FORM).status == 303
    quote = tenant.api.get(f"/api/v1/quotes/{quote_in_portal['quote']['id']}").json
    assert (quote["status"], quote["decline_reason"]) == ("declined", "Too expensive")
    assert "Too expensive" in outbox.to("owner@biz.test")[0].text
    assert 'data-testid="approve"' not in anonymous.get(page).text


def test_terms_can_be_required_and_conversion_can_be_left_to_staff(
        tenant: Any, anonymous: Api, quote_in_portal: dict[str, Any]) -> None:
    tenant.api.patch("/api/v1/business", {"quote_requires_terms": True, "quote_auto_convert": False})
    page = quote_in_portal["page"]
    refused = anonymous.call("POST", f"{page}/approve", "name=Pat", headers={**FORM, **JSON})
    assert refused.status == 400 and refused.json["error"]["field"] == "accept_terms"
    done = anonymous.call("POST", f"{page}/approve", "accept_terms=true", headers={**FORM, **JSON})
    assert done.status == 200 and done.json["invoice_id"] is None and done.json["status"] == "accepted"
    converted = tenant.api.post(f"/api/v1/quotes/{quote_in_portal['quote']['id']}/convert")
    assert converted.status == 201 and converted.json["status"] == "sent"
    assert tenant.api.post(f"/api/v1/quotes/{quote_in_portal['quote']['id']}/convert").json["id"] == converted.json["id"]


def test_another_clients_quote_and_a_turned_off_quotes_tab_are_not_reachable(
        tenant: Any, anonymous: Api, quote_in_portal: dict[str, Any]) -> None:
    other_client, _ = client_with_contact(tenant, "Else", "else@portal.test")
    theirs = make_document(tenant, other_client, kind="quote")
    path = quote_in_portal["portal"]
    assert anonymous.call("POST", f"{path}/quotes/{theirs['id']}/approve", "", headers=FORM).status == 404
    # No such route: API Gateway (and Chalice locally) answer 403 "Missing Authentication Token".
    assert anonymous.call("POST", f"{path}/quotes/{quote_in_portal['quote']['id']}/steal", "", headers=FORM).status in (403, 404)
    tenant.api.patch("/api/v1/business", {"portal_tabs_off": ["quotes"]})
    assert anonymous.call("POST", f"{quote_in_portal['page']}/approve", "", headers=FORM).status == 404
