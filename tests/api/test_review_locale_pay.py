"""A part payment is typed as the page's locale writes amounts: a de_DE client who types
"500,00" pays 500.00, never 50,000.00; the field offers the balance written the same way."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.support.payments import FakeStripeHttp, payable_invoice, press_pay

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


@pytest.mark.parametrize(("typed", "minor"), [("500,00", 50000), ("1.500,50", 150050), ("2 000", 200000),
                                              ("750.25", 75025)])
def test_a_part_payment_typed_the_german_way_charges_what_was_typed(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, typed: str, minor: int) -> None:
    assert tenant.api.patch("/api/v1/business", {"locale": "de_DE"}).status == 200
    payable = payable_invoice(tenant, total=10_000_000, allow_partial=True)
    assert 'value="100.000,00"' in anonymous.get(payable["page"]).text  # the balance, as the page writes it
    reply = press_pay(anonymous, payable["page"], f"amount_text={typed}")
    assert reply.status == 303, reply.body
    assert stripe_api.calls[0]["params"]["line_items[0][price_data][unit_amount]"] == [str(minor)]


def test_a_refused_part_payment_says_why_in_the_pages_locale_and_leads_back_to_the_invoice(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp) -> None:
    assert tenant.api.patch("/api/v1/business", {"locale": "de_DE"}).status == 200
    payable = payable_invoice(tenant, total=10000, allow_partial=True, minimum_partial=2000)
    reply = press_pay(anonymous, payable["page"], "amount_text=10,00")
    assert reply.status == 400
    assert "The smallest part payment accepted is 20,00\xa0€." in reply.text and "€20.00" not in reply.text
    assert f'href="https://pay.example.test{payable["page"]}"' in reply.text  # the next step: back to the invoice
    too_much = press_pay(anonymous, payable["page"], "amount_text=500,00")
    assert "(100,00\xa0€)" in too_much.text
    assert stripe_api.calls == []


def test_a_refused_part_payment_in_the_portal_leads_back_to_the_invoice(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp) -> None:
    from tests.support.client_flows import FORM
    from tests.support.portal import client_with_contact, make_document, portal_link

    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True}).status == 200
    client_id, contact_id = client_with_contact(tenant)
    assert tenant.api.patch(f"/api/v1/clients/{client_id}", {"locale": "de_DE"}).status == 200
    invoice = make_document(tenant, client_id, amount=10000, allow_partial=True, minimum_partial=2000)
    page = f"{portal_link(tenant, client_id, contact_id)}/invoices/{invoice['id']}"
    reply = anonymous.call("POST", f"{page}/pay", "amount_text=10,00", headers=FORM)
    assert reply.status == 400 and "20,00\xa0€" in reply.text, reply.text
    assert f'href="https://pay.example.test{page}"' in reply.text


def test_a_refused_quote_decision_leads_back_to_the_quote(tenant: Any, anonymous: Api) -> None:
    from tests.support.client_flows import FORM
    from tests.support.portal import client_with_contact, make_document, portal_link

    client_id, contact_id = client_with_contact(tenant)
    quote = make_document(tenant, client_id, kind="quote")
    page = f"{portal_link(tenant, client_id, contact_id)}/quotes/{quote['id']}"
    reply = anonymous.call("POST", f"{page}/decline", "reason=", headers=FORM)  # a reason is required
    assert reply.status == 400, reply.body
    assert f'href="https://pay.example.test{page}"' in reply.text and "Go back and try again" in reply.text
