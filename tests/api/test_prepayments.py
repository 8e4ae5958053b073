"""Pre-payments: a business setting with a minimum; the client pays any amount at least that, in
the business's currency, once or repeating; it lands as credit once per payment however often
Stripe says so; staff, or the client paying in the portal, apply it to invoices, and the
figures add up."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Api, Outbox, QueueWorker, Tenant
from tests.support.cards import FakeStripeCards, stripe_cards  # noqa: F401 (fixture)
from tests.support.client_flows import FORM, JSON
from tests.support.events import event
from tests.support.payments import post_event, stripe_event, stripe_object
from tests.support.portal import client_with_contact, make_document, portal_link

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def _portal(tenant: Tenant, minimum: int = 2000) -> dict[str, Any]:
    settings = {"stripe_enabled": True, "prepayment_enabled": True, "prepayment_minimum": minimum}
    assert tenant.api.patch("/api/v1/business", settings).json["prepayment_minimum"] == minimum
    client_id, contact_id = client_with_contact(tenant, email="pat@prepay.test")
    return {"client_id": client_id, "path": portal_link(tenant, client_id, contact_id)}


def _prepay(anonymous: Api, portal: dict[str, Any], body: str) -> Any:
    return anonymous.call("POST", f"{portal['path']}/pre-payment", body, headers=FORM)


def _session_paid(tenant: Tenant, portal: dict[str, Any], prepay_id: str, session_id: str, amount: int,
                  **extra: str) -> dict[str, Any]:
    ids = {"business_id": tenant.business_id, "client_id": portal["client_id"], "prepay_id": prepay_id,
           "purpose": "prepayment", **extra}
    return stripe_object("checkout.session.completed", id=session_id, amount_total=amount, currency="eur",
                         payment_intent=f"pi_{session_id}", metadata=ids)


def _only_prepayment(tenant: Tenant, portal: dict[str, Any]) -> Any:
    from chalicelib.store import cards

    [found] = [i for i in cards.client_collection(tenant.business_id, portal["client_id"])
               if isinstance(i, cards.Prepayment)]
    return found


def _credits(tenant: Tenant, portal: dict[str, Any]) -> dict[str, Any]:
    return tenant.api.get(f"/api/v1/clients/{portal['client_id']}/credits").json  # type: ignore[no-any-return]


def test_the_tab_is_there_only_when_the_business_turns_it_on(tenant: Tenant, anonymous: Api,
                                                             stripe_cards: FakeStripeCards) -> None:  # noqa: F811
    portal = _portal(tenant)
    view = anonymous.get(f"{portal['path']}?tab=pre-payment", headers=JSON).json
    assert "pre-payment" in view["tabs"] and view["minimum"]["display"] == "€20.00"
    assert tenant.api.patch("/api/v1/business", {"prepayment_enabled": False}).status == 200
    assert anonymous.get(f"{portal['path']}?tab=pre-payment").status == 404
    assert _prepay(anonymous, portal, "amount_text=50.00").status == 404
    assert stripe_cards.calls == []


@pytest.mark.parametrize("body, field, words", [
    ("amount_text=19.99", "amount_text", "The smallest pre-payment is €20.00."),
    ("amount_text=lots", "amount_text", "an amount like 40.00"),
    ("amount_text=50&repeat=weekly", "times", "Repeat from 2 to 24 times."),
    ("amount_text=50&repeat=monthly&times=25", "times", "Repeat from 2 to 24 times."),
    ("amount_text=50&repeat=daily", "repeat", ""),
    ("amount_text=999999999", "amount_text", "above what a card payment can take"),  # the form's field, named
])
def test_an_amount_below_the_minimum_or_an_odd_repeat_is_refused_and_nothing_is_started(
        body: str, field: str, words: str, tenant: Tenant, anonymous: Api,
        stripe_cards: FakeStripeCards) -> None:  # noqa: F811
    portal = _portal(tenant)
    reply = anonymous.call("POST", f"{portal['path']}/pre-payment", body, headers={**FORM, **JSON})
    assert reply.status == 400 and reply.error["field"] == field and words in reply.error["message"]
    assert stripe_cards.calls == []


def test_a_pre_payment_opens_checkout_with_exactly_these_parameters(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards) -> None:  # noqa: F811
    portal = _portal(tenant)
    reply = _prepay(anonymous, portal, "amount_text=50.00&repeat=once")
    assert reply.status == 303 and reply.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    prepay_id = _only_prepayment(tenant, portal).prepay_id
    [call] = stripe_cards.made("post", "/v1/checkout/sessions")
    page = f"https://pay.example.test{portal['path']}?tab=pre-payment"
    ids = {"business_id": tenant.business_id, "client_id": portal["client_id"], "prepay_id": prepay_id,
           "purpose": "prepayment"}
    assert call["params"] == {
        "mode": "payment", "client_reference_id": portal["client_id"],
        "line_items[0][quantity]": "1", "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][unit_amount]": "5000", "line_items[0][price_data][product_data][name]": "Pre-payment",
        "line_items[0][price_data][product_data][description]": "Test Business",
        **{f"metadata[{k}]": v for k, v in ids.items()},
        **{f"payment_intent_data[metadata][{k}]": v for k, v in ids.items()},
        "payment_intent_data[description]": "Pre-payment — Test Business",
        "success_url": f"{page}&prepayment=success", "cancel_url": page, "customer_email": "pat@prepay.test",
    }
    assert call["headers"]["Idempotency-Key"] == f"prepay-{prepay_id}"


def test_it_lands_as_credit_once_however_often_stripe_says_so_and_the_client_applies_it(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, stripe_worker: QueueWorker) -> None:  # noqa: F811
    portal = _portal(tenant)
    invoice = make_document(tenant, portal["client_id"], amount=8000)
    _prepay(anonymous, portal, "amount_text=50.00")
    prepay_id = _only_prepayment(tenant, portal).prepay_id
    paid = stripe_event("checkout.session.completed", _session_paid(tenant, portal, prepay_id, "cs_test_1", 5000))
    for sent in (paid, paid, {**paid, "id": "evt_again_" + prepay_id}):  # redelivered, and a second event
        assert post_event(anonymous, sent).status == 200
        stripe_worker.drain()
    listing = _credits(tenant, portal)
    assert listing["available"] == {"EUR": 5000}
    assert [(n["number"][:3], n["amount"]) for n in listing["credit_notes"]] == [("PP-", 5000)]
    tab = anonymous.get(f"{portal['path']}?tab=pre-payment", headers=JSON).json
    assert [(h["amount"]["amount"], h["status"]) for h in tab["history"]] == [(5000, "received")]
    # The invoices tab offers it on the invoice; using it pays 50.00 of the 80.00.
    html = anonymous.get(f"{portal['path']}?tab=invoices").text
    assert "Use €50.00 credit" in html
    reply = anonymous.call("POST", f"{portal['path']}/invoices/{invoice['id']}/use-credit", "", headers=FORM)
    assert reply.status == 303 and reply.headers["Location"].endswith(f"/invoices/{invoice['id']}")
    shown = tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json
    assert (shown["status"], shown["amount_paid"], shown["balance"]) == ("partial", 5000, 3000)
    _adds_up(tenant, portal, invoice)
    # Nothing left to use: a second press changes nothing.
    again = anonymous.call("POST", f"{portal['path']}/invoices/{invoice['id']}/use-credit", "", headers=FORM)
    assert again.status == 409
    assert tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json["balance"] == 3000


def _adds_up(tenant: Tenant, portal: dict[str, Any], invoice: dict[str, Any]) -> None:
    """Credit received = credit applied + credit available; the invoice's figures are its ledger's."""
    from chalicelib.services.billing.ledger import in_step, reconcile
    from chalicelib.store import documents as docs

    listing = _credits(tenant, portal)
    received = sum(n["amount"] for n in listing["credit_notes"])
    applied = sum(a["amount"] for a in listing["applications"])
    assert received == applied + listing["available"]["EUR"]
    document, items = docs.load_collection(tenant.business_id, invoice["id"])
    assert document is not None and in_step(document, items)
    result = reconcile(tenant.business_id, invoice["id"])
    assert result is not None and int(result.document.amount_paid) == applied


def test_staff_apply_pre_paid_credit_to_an_invoice(tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards,  # noqa: F811
                                                    stripe_worker: QueueWorker) -> None:
    portal = _portal(tenant)
    invoice = make_document(tenant, portal["client_id"], amount=4000)
    _prepay(anonymous, portal, "amount_text=100")
    prepay_id = _only_prepayment(tenant, portal).prepay_id
    post_event(anonymous, stripe_event("checkout.session.completed",
                                       _session_paid(tenant, portal, prepay_id, "cs_test_1", 10000)))
    stripe_worker.drain()
    applied = tenant.api.post(f"/api/v1/clients/{portal['client_id']}/credits/apply", {"invoice_id": invoice["id"]})
    assert applied.status == 200 and (applied.json["status"], applied.json["balance"]) == ("paid", 0)
    assert _credits(tenant, portal)["available"] == {"EUR": 6000}
    _adds_up(tenant, portal, invoice)


def test_a_session_paydrop_did_not_start_credits_nothing(tenant: Tenant, anonymous: Api,
                                                         stripe_cards: FakeStripeCards,  # noqa: F811
                                                         stripe_worker: QueueWorker) -> None:
    portal = _portal(tenant)
    _prepay(anonymous, portal, "amount_text=50")
    prepay_id = _only_prepayment(tenant, portal).prepay_id
    post_event(anonymous, stripe_event("checkout.session.completed",
                                       _session_paid(tenant, portal, prepay_id, "cs_someone_else", 900000)))
    stripe_worker.drain()
    assert _credits(tenant, portal)["credit_notes"] == []


def test_a_repeating_pre_payment_charges_the_saved_card_once_per_date(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, stripe_worker: QueueWorker,  # noqa: F811
        outbox: Outbox) -> None:
    from chalicelib import clock
    from chalicelib.services.payments import prepayment_plans
    from chalicelib.store import cards

    portal = _portal(tenant)
    assert _prepay(anonymous, portal, "amount_text=25&repeat=weekly&times=3").status == 303
    [first] = stripe_cards.made("post", "/v1/checkout/sessions")
    assert first["params"]["payment_intent_data[setup_future_usage]"] == "off_session"
    customer = first["params"]["customer"]
    pm = stripe_cards.save_card(customer, default=False)  # the card the first payment saved
    prepayment = _only_prepayment(tenant, portal)
    post_event(anonymous, stripe_event("checkout.session.completed", _session_paid(
        tenant, portal, prepayment.prepay_id, "cs_test_1", 2500, plan_id=str(prepayment.plan_id))))
    stripe_worker.drain()
    plan = cards.get_plan(tenant.business_id, portal["client_id"], str(prepayment.plan_id))
    assert plan is not None and plan.status == "active" and plan.payment_method == pm
    week = clock.today() + timedelta(days=7)
    assert plan.next_on == week.isoformat()
    for _ in range(2):  # the scheduler retried: one charge for the date
        prepayment_plans.charge_due_plans(week)
    [charge] = stripe_cards.made("post", "/v1/payment_intents")
    assert charge["headers"]["Idempotency-Key"] == f"prepay-{plan.plan_id}-2"
    assert (charge["params"]["off_session"], charge["params"]["confirm"], charge["params"]["payment_method"],
            charge["params"]["amount"], charge["params"]["metadata[purpose]"]) == ("true", "true", pm, "2500", "prepayment")
    intent = {**event("stripe/payment_intent.succeeded")["data"]["object"], "id": "pi_test_1", "amount": 2500,
              "amount_received": 2500, "metadata": {k[9:-1]: v for k, v in charge["params"].items()
                                                    if k.startswith("metadata[")}}
    post_event(anonymous, stripe_event("payment_intent.succeeded", intent))
    stripe_worker.drain()
    assert _credits(tenant, portal)["available"] == {"EUR": 5000}
    # The third charge is declined: the plan pauses and the client is told.
    stripe_cards.decline_with = "card_declined"
    prepayment_plans.charge_due_plans(week + timedelta(days=7))
    plan = cards.get_plan(tenant.business_id, portal["client_id"], str(prepayment.plan_id))
    assert plan is not None and plan.status == "finished"
    assert [m.subject for m in outbox.to("pat@prepay.test")] == ["Your pre-payment did not go through"]
    assert _credits(tenant, portal)["available"] == {"EUR": 5000}


def test_the_offline_checkout_stands_in_for_stripe(tenant: Tenant, anonymous: Api, offline_webhook: list[int],
                                                   stripe_worker: QueueWorker) -> None:
    portal = _portal(tenant)
    reply = _prepay(anonymous, portal, "amount_text=30")
    page = reply.headers["Location"].replace("https://pay.example.test", "")
    assert "/checkout/offline-cards/cs_offprepay_" in page and "Pay €30.00" in anonymous.get(page).text
    done = anonymous.call("POST", page, "card=4242", headers=FORM)
    assert done.status == 303 and done.headers["Location"].endswith("?tab=pre-payment&prepayment=success")
    stripe_worker.drain()
    assert _credits(tenant, portal)["available"] == {"EUR": 3000}
