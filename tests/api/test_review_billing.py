"""Adversarial review of issue 15 (recurring, saved cards, pre-payments, self-service) over HTTP."""
from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.conftest import Api
from tests.support.cards import stripe_cards  # noqa: F401 (fixture)
from tests.support.client_flows import FORM, JSON
from tests.support.portal import client_with_contact, make_document, portal_link

# Every test presses pay-like buttons from one address: each gets its own per-IP budget.
pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def _stall_after_reading_credit(monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """Each caller reads the credit and the invoice, then waits for the others: a true race."""
    from chalicelib.services.billing import credits

    barrier, read, calls = threading.Barrier(parties, timeout=10), credits.store.credit_collection, iter(range(parties))

    def stalled(business_id: str, client_id: str) -> Any:
        found = read(business_id, client_id)
        if next(calls, None) is not None:  # the racing callers only; later reads go straight through
            barrier.wait()
        return found

    monkeypatch.setattr(credits.store, "credit_collection", stalled)


def test_two_tabs_using_credit_on_one_invoice_at_once_pay_it_once(
        tenant: Any, anonymous: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    client_id, contact_id = client_with_contact(tenant)
    invoice = make_document(tenant, client_id, amount=5000)
    tenant.api.post(f"/api/v1/clients/{client_id}/credits", {"amount": 20000})
    path = portal_link(tenant, client_id, contact_id)
    _stall_after_reading_credit(monkeypatch, 2)
    statuses: list[int] = []

    def use() -> None:
        statuses.append(anonymous.call("POST", f"{path}/invoices/{invoice['id']}/use-credit", "", headers=FORM).status)

    threads = [threading.Thread(target=use) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [303, 409]
    shown = tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json
    assert (shown["status"], shown["amount_paid"]) == ("paid", 5000)
    assert tenant.api.get(f"/api/v1/clients/{client_id}/credits").json["available"] == {"EUR": 15000}


def _prepay_portal(tenant: Any) -> dict[str, Any]:
    settings = {"stripe_enabled": True, "prepayment_enabled": True, "prepayment_minimum": 2000}
    assert tenant.api.patch("/api/v1/business", settings).status == 200
    client_id, contact_id = client_with_contact(tenant, email="pat@prepay.test")
    return {"client_id": client_id, "path": portal_link(tenant, client_id, contact_id)}


@pytest.mark.parametrize("typed", ["1,0400.00", "1.0400,00", "50,0,0", "1,2,3"])
def test_separators_no_one_writes_are_refused_never_guessed(
        typed: str, tenant: Any, anonymous: Api, stripe_cards: Any) -> None:  # noqa: F811
    """"50,00" is fifty in any locale (tests/api/test_review_locale_pay.py); digit groups that are not
    threes (or India's lakhs) have no one meaning: refused in plain words, no Checkout opened."""
    portal = _prepay_portal(tenant)
    reply = anonymous.call("POST", f"{portal['path']}/pre-payment", f"amount_text={typed}",
                           headers={**FORM, **JSON})
    assert reply.status == 400 and reply.error["field"] == "amount_text", reply.body
    assert "like 40.00" in reply.error["message"]
    assert stripe_cards.calls == []


def test_refused_credit_says_the_amounts_in_money_not_in_cents(tenant: Any, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    invoice = make_document(tenant, client_id, amount=10000)
    tenant.api.post(f"/api/v1/clients/{client_id}/credits", {"amount": 5000})
    reply = tenant.api.post(f"/api/v1/clients/{client_id}/credits/apply", {"invoice_id": invoice["id"], "amount": 9000})
    assert reply.status == 409 and "€50.00" in reply.error["message"] and "5000" not in reply.error["message"]
    tenant.api.post(f"/api/v1/clients/{client_id}/credits/apply", {"invoice_id": invoice["id"]})
    invoice = make_document(tenant, client_id, amount=10000)
    path = portal_link(tenant, client_id, contact_id)
    again = anonymous.call("POST", f"{path}/invoices/{invoice['id']}/use-credit", "", headers={**FORM, **JSON})
    assert again.status == 409 and "€0.00" in again.error["message"], again.body


def test_a_pre_payment_has_its_receipt_in_the_payments_tab(
        tenant: Any, anonymous: Api, stripe_cards: Any, stripe_worker: Any) -> None:  # noqa: F811
    from chalicelib.store import cards
    from tests.support.payments import post_event, stripe_event, stripe_object
    from tests.support.pdfs import follow_pdf

    portal, other = _prepay_portal(tenant), _prepay_portal(tenant)
    for p in (portal, other):
        assert anonymous.call("POST", f"{p['path']}/pre-payment", "amount_text=50.00", headers=FORM).status == 303
    [mine] = [i for i in cards.client_collection(tenant.business_id, portal["client_id"]) if isinstance(i, cards.Prepayment)]
    [theirs] = [i for i in cards.client_collection(tenant.business_id, other["client_id"])
                if isinstance(i, cards.Prepayment)]
    receipt = f"{portal['path']}/pre-payment/{mine.prepay_id}/receipt"
    assert anonymous.get(receipt).status == 404  # not paid yet: nothing to give a receipt for
    ids = {"business_id": tenant.business_id, "client_id": portal["client_id"], "prepay_id": mine.prepay_id,
           "purpose": "prepayment"}
    paid = stripe_event("checkout.session.completed", stripe_object(
        "checkout.session.completed", id=mine.session_id, amount_total=5000, currency="eur",
        payment_intent="pi_prepaid_1", metadata=ids))
    assert post_event(anonymous, paid).status == 200
    stripe_worker.drain()
    tab = anonymous.get(f"{portal['path']}?tab=payments", headers=JSON).json
    assert [(p["amount"]["display"], p["receipt"]) for p in tab["prepayments"]] == [("€50.00", mine.prepay_id)]
    html = anonymous.get(f"{portal['path']}?tab=payments").text
    assert f'{receipt}"' in html and "€50.00 paid in advance" in html
    assert f'{receipt}"' in anonymous.get(f"{portal['path']}?tab=pre-payment").text  # and where it was paid
    page = anonymous.get(receipt)
    assert page.status == 200 and "€50.00" in page.text and "Pre-payment" in page.text and "PP-0001" in page.text
    view = anonymous.get(receipt, headers=JSON).json
    assert (view["amount"]["amount"], view["method"], view["invoices"]) == (5000, "card", [])
    _, pdf = follow_pdf(anonymous, f"{receipt}/pdf")
    assert "50.00" in pdf.pages[0] and "PP-0001" in pdf.pages[0]
    # Another client's pre-payment, through this portal: 404.
    assert anonymous.get(f"{portal['path']}/pre-payment/{theirs.prepay_id}/receipt").status == 404
    assert anonymous.get(f"{other['path']}/pre-payment/{mine.prepay_id}/receipt").status == 404


def test_credit_applied_closes_the_checkout_opened_for_the_old_balance(
        tenant: Any, anonymous: Api, stripe_api: Any) -> None:
    """Tab A opened Checkout for the whole 100.00; credit then paid 30.00 of it: tab A must not
    still take 100.00 (the invoice would be overpaid by 30.00)."""
    from chalicelib.store import documents as docs
    from tests.support.payments import payable_invoice, start_checkout

    payable = payable_invoice(tenant)
    session_id = start_checkout(anonymous, payable)
    client_id = payable["doc"]["client_id"]
    tenant.api.post(f"/api/v1/clients/{client_id}/credits", {"amount": 3000})
    applied = tenant.api.post(f"/api/v1/clients/{client_id}/credits/apply", {"invoice_id": payable["doc"]["id"]})
    assert applied.status == 200 and applied.json["balance"] == 7000
    assert [c for c in stripe_api.calls if c["url"].endswith(f"/v1/checkout/sessions/{session_id}/expire")]
    _, items = docs.load_collection(tenant.business_id, payable["doc"]["id"])
    assert [s.status for s in items if isinstance(s, docs.CheckoutSession)] == ["expired"]


def test_the_statement_form_defaults_to_this_year_in_the_business_time_zone(tenant: Any, anonymous: Api) -> None:
    """New Year's morning in Auckland is still 31 December in UTC: "this year" is the business's year."""
    from datetime import UTC, datetime

    from chalicelib import clock

    assert tenant.api.patch("/api/v1/business", {"time_zone": "Pacific/Auckland"}).status == 200
    client_id, contact_id = client_with_contact(tenant)
    path = portal_link(tenant, client_id, contact_id)
    try:
        clock.use(lambda: datetime(2030, 12, 31, 12, tzinfo=UTC))  # 1 January 2031, 01:00 in Auckland
        view = anonymous.get(f"{path}?tab=payments", headers=JSON).json
        assert view["statement"] == {"from": "2031-01-01", "to": "2031-01-01"}
        made = tenant.api.get(f"/api/v1/clients/{client_id}/statement")
        assert made.status == 200 and (made.json["from"], made.json["to"]) == ("2031-01-01", "2031-01-01"), made.body
    finally:
        clock.use(None)
