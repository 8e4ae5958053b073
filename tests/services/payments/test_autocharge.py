"""Auto-charge: an invoice set to be charged is paid with the client's default saved card on its
due date (an off-session PaymentIntent, exactly these parameters, one idempotency key per
invoice and attempt); a decline or `authentication_required` emails the client a link to pay
and tells staff why; however the scheduler is retried, one invoice is charged once."""
from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Api, Outbox, QueueWorker, Tenant
from tests.support.cards import FakeStripeCards, offline_stripe, stripe_cards  # noqa: F401 (fixtures)
from tests.support.events import event
from tests.support.payments import post_event
from tests.support.portal import client_with_contact, make_document


def _auto_invoice(tenant: Tenant, fake: FakeStripeCards, total: int = 12000, card: str | None = "4242") -> dict[str, Any]:
    """A sent invoice due today, set to auto-charge, for a client whose customer holds `card`."""
    from chalicelib import clock
    from chalicelib.services.payments import customers
    from chalicelib.store import documents as docs

    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True}).status == 200
    client_id, _ = client_with_contact(tenant, email="pat@auto.test")
    doc = make_document(tenant, client_id, amount=total, due_date=clock.today().isoformat())
    stored = docs.get_document(tenant.business_id, doc["id"])
    assert stored is not None
    stored.update(actions=[docs.Document.auto_charge.set(True)])  # what a recurring template's invoice carries
    customer = customers.customer_for(tenant.business_id, client_id)
    pm = fake.save_card(customer, card) if card else None
    return {"doc": doc, "client_id": client_id, "customer": customer, "pm": pm}


def _run(doc: dict[str, Any]) -> str | None:
    """One scheduler run (for today, over every business), and what it did with this invoice."""
    from chalicelib import clock
    from chalicelib.services.payments import autocharge

    return autocharge.charge_due(clock.today()).outcomes.get(doc["id"])


def _intents(fake: FakeStripeCards) -> list[dict[str, Any]]:
    return fake.made("post", "/v1/payment_intents")


def _staff_view(tenant: Tenant, doc: dict[str, Any]) -> dict[str, Any]:
    reply = tenant.api.get(f"/api/v1/invoices/{doc['id']}")
    assert reply.status == 200
    return reply.json  # type: ignore[no-any-return]


def _succeeded(anonymous: Api, worker: QueueWorker, tenant: Tenant, made: dict[str, Any], pi: str,
               amount: int, event_id: str) -> None:
    obj = {**event("stripe/payment_intent.succeeded")["data"]["object"], "id": pi, "amount": amount,
           "amount_received": amount, "customer": made["customer"], "payment_method": made["pm"],
           "metadata": {"business_id": tenant.business_id, "doc_id": made["doc"]["id"], "purpose": "autocharge",
                        "attempt": "1", "amount": str(amount)}}
    sample = event("stripe/payment_intent.succeeded")
    assert post_event(anonymous, {**sample, "id": event_id, "data": {"object": obj}}
                      ).status == 200
    worker.drain()


def test_a_due_auto_charge_invoice_is_charged_off_session_with_exactly_these_parameters_and_paid_once(
        tenant: Tenant, stripe_cards: FakeStripeCards, anonymous: Api, stripe_worker: QueueWorker) -> None:  # noqa: F811

    made = _auto_invoice(tenant, stripe_cards)
    doc = made["doc"]
    assert _run(doc) == "submitted"
    [call] = _intents(stripe_cards)
    assert call["params"] == {
        "amount": "12000", "currency": "eur", "customer": made["customer"], "payment_method": made["pm"],
        "confirm": "true", "off_session": "true", "description": f"Invoice {doc['number']} — Test Business",
        "metadata[business_id]": tenant.business_id, "metadata[doc_id]": doc["id"],
        "metadata[purpose]": "autocharge", "metadata[attempt]": "1", "metadata[amount]": "12000",
    }
    assert call["headers"]["Idempotency-Key"] == f"autocharge-{tenant.business_id}-{doc['id']}-1"
    assert _staff_view(tenant, doc)["card_charge"]["state"] == "submitted"
    # Stripe's webhook applies it; the same payment announced twice (two events) counts once.
    pi = _staff_view(tenant, doc)["card_charge"]["payment_intent"]
    _succeeded(anonymous, stripe_worker, tenant, made, pi, 12000, f"evt_a_{made['doc']['id']}")
    _succeeded(anonymous, stripe_worker, tenant, made, pi, 12000, f"evt_b_{made['doc']['id']}")
    shown = _staff_view(tenant, doc)
    assert (shown["status"], shown["amount_paid"], shown["balance"]) == ("paid", 12000, 0)
    assert [p["amount"] for p in shown["payments"]] == [12000]
    assert shown["card_charge"]["state"] == "paid"
    # Paid, it is off the scheduler's agenda; "charge now" refuses it.
    assert _run(doc) is None
    assert tenant.api.post(f"/api/v1/invoices/{doc['id']}/charge-now").status == 409
    assert len(_intents(stripe_cards)) == 1


@pytest.mark.parametrize("code, staff_reason, email_says", [
    ("card_declined", "The card was declined: Your card has insufficient funds.", "could not charge your saved card"),
    ("authentication_required", "The bank asks the client to confirm this payment (3-D Secure).",
     "asks you to confirm this payment yourself"),
])
def test_a_refused_charge_emails_the_contact_a_link_to_pay_and_staff_see_why(
        code: str, staff_reason: str, email_says: str, tenant: Tenant, stripe_cards: FakeStripeCards,  # noqa: F811
        outbox: Outbox, anonymous: Api) -> None:

    made = _auto_invoice(tenant, stripe_cards)
    stripe_cards.decline_with = code
    assert _run(made["doc"]) == "failed"
    state = _staff_view(tenant, made["doc"])["card_charge"]
    assert (state["state"], state["failure_code"], state["failure_reason"]) == ("failed", code, staff_reason)
    [mail] = outbox.to("pat@auto.test")
    assert mail.subject == f"Please pay invoice {made['doc']['number']}" and email_says in mail.text
    link = next(line for line in mail.text.splitlines() if "/invoice/" in line).strip()
    assert anonymous.get(link.replace("https://pay.example.test", "")).status == 200  # the link opens the invoice
    # No automatic retry: the client was asked to pay; the scheduler leaves it.
    assert _run(made["doc"]) == "already"
    assert len(_intents(stripe_cards)) == 1
    # Staff "charge now" (the card was fixed) is a new attempt with a new idempotency key.
    stripe_cards.decline_with = None
    reply = tenant.api.post(f"/api/v1/invoices/{made['doc']['id']}/charge-now")
    assert reply.status == 200 and reply.json["outcome"] == "submitted"
    assert _intents(stripe_cards)[-1]["headers"]["Idempotency-Key"].endswith(f"{made['doc']['id']}-2")
    assert tenant.api.post(f"/api/v1/invoices/{made['doc']['id']}/charge-now").status == 409  # already submitted


def test_without_a_saved_card_the_contact_is_asked_to_pay_and_stripe_is_not_called(
        tenant: Tenant, stripe_cards: FakeStripeCards, outbox: Outbox) -> None:  # noqa: F811

    made = _auto_invoice(tenant, stripe_cards, card=None)
    assert _run(made["doc"]) == "failed"
    assert _staff_view(tenant, made["doc"])["card_charge"]["failure_reason"] == "The client has no saved card."
    assert _intents(stripe_cards) == [] and len(outbox.to("pat@auto.test")) == 1


def test_scheduler_runs_while_a_charge_is_in_flight_make_one_payment_intent(
        tenant: Tenant, stripe_cards: FakeStripeCards) -> None:  # noqa: F811
    from chalicelib.services.payments import autocharge

    made = _auto_invoice(tenant, stripe_cards)
    stripe_cards.hold = threading.Event()
    outcomes: list[str] = []
    first = threading.Thread(target=lambda: outcomes.append(
        autocharge.charge_invoice(tenant.business_id, made["doc"]["id"])))
    first.start()
    assert stripe_cards.in_flight.wait(10)  # the first run is inside Stripe's PaymentIntent call
    racing = [threading.Thread(target=lambda: outcomes.append(str(_run(made["doc"]))))
              for _ in range(2)]
    for thread in racing:
        thread.start()
    for thread in racing:
        thread.join(10)
    stripe_cards.hold.set()
    first.join(10)
    assert sorted(outcomes) == sorted(["submitted", "in_flight", "in_flight"])
    assert len(_intents(stripe_cards)) == 1


def test_a_run_that_died_mid_charge_is_retried_with_the_same_key_so_stripe_makes_no_second_charge(
        tenant: Tenant, stripe_cards: FakeStripeCards, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from chalicelib import clock
    from chalicelib.domain import autocharge as rules
    from chalicelib.services.payments import autocharge
    from chalicelib.store import documents as docs

    made = _auto_invoice(tenant, stripe_cards)
    assert autocharge.charge_invoice(tenant.business_id, made["doc"]["id"]) == "submitted"
    # As if the run had died after Stripe answered, before it recorded the answer:
    claim = docs.get_autocharge(tenant.business_id, made["doc"]["id"])
    assert claim is not None
    claim.update(actions=[docs.AutoCharge.state.set(rules.CHARGING)])
    assert autocharge.charge_invoice(tenant.business_id, made["doc"]["id"]) == "in_flight"  # too soon to take over
    later = clock.now() + rules.STALE_CLAIM + timedelta(minutes=1)
    clock.use(lambda: later)
    try:
        assert autocharge.charge_due(clock.now().date()).outcomes.get(made["doc"]["id"]) == "submitted"
    finally:
        clock.use(None)
    keys = {c["headers"]["Idempotency-Key"] for c in _intents(stripe_cards)}
    assert keys == {f"autocharge-{tenant.business_id}-{made['doc']['id']}-1"}
    assert len(stripe_cards.by_key) == 2  # the customer and one PaymentIntent: Stripe answered the retry from its key


def test_another_tenants_invoice_cannot_be_charged(make_tenant: Any, stripe_cards: FakeStripeCards) -> None:  # noqa: F811
    owner, other = make_tenant(), make_tenant()
    made = _auto_invoice(owner, stripe_cards)
    assert other.api.post(f"/api/v1/invoices/{made['doc']['id']}/charge-now").status == 404
    assert _intents(stripe_cards) == []
    assert _run(made["doc"]) == "submitted"  # its own business's schedule charges it (and later tests start clean)


def test_a_charge_stripe_refuses_later_is_recorded_and_the_client_asked_to_pay(
        tenant: Tenant, stripe_cards: FakeStripeCards, anonymous: Api, stripe_worker: QueueWorker,  # noqa: F811
        outbox: Outbox) -> None:
    made = _auto_invoice(tenant, stripe_cards)
    assert _run(made["doc"]) == "submitted"
    pi = _staff_view(tenant, made["doc"])["card_charge"]["payment_intent"]
    failed = {**event("stripe/payment_intent.payment_failed")["data"]["object"], "id": pi,
              "metadata": {"business_id": tenant.business_id, "doc_id": made["doc"]["id"], "purpose": "autocharge",
                           "attempt": "1"}}
    sample = event("stripe/payment_intent.payment_failed")
    assert post_event(anonymous, {**sample, "id": f"evt_f_{made['doc']['id']}", "data": {"object": failed}}).status == 200
    stripe_worker.drain()
    state = _staff_view(tenant, made["doc"])["card_charge"]
    assert (state["state"], state["failure_reason"]) == ("failed", "The card was declined: Your card has insufficient funds.")
    assert [m.subject for m in outbox.to("pat@auto.test")] == [f"Please pay invoice {made['doc']['number']}"]


def test_locally_the_offline_stand_in_charges_the_saved_test_card_through_the_webhook_path(
        tenant: Tenant, offline_stripe: None, stripe_worker: QueueWorker) -> None:  # noqa: F811
    from chalicelib import clock
    from chalicelib.services.payments import customers, offline_cards
    from chalicelib.store import documents as docs

    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True}).status == 200
    outcomes = {}
    for card in ("4242", "0341", "3155"):
        client_id, _ = client_with_contact(tenant, name=f"Card {card}", email=f"pat{card}@auto.test")
        doc = make_document(tenant, client_id, amount=5000, due_date=clock.today().isoformat())
        stored = docs.get_document(tenant.business_id, doc["id"])
        assert stored is not None
        stored.update(actions=[docs.Document.auto_charge.set(True)])
        offline_cards.keep_test_card(customers.customer_for(tenant.business_id, client_id), card)
        outcomes[card] = (doc, _run(doc))
    assert {card: outcome for card, (_, outcome) in outcomes.items()} == {
        "4242": "submitted", "0341": "failed", "3155": "failed"}
    stripe_worker.drain()  # the stand-in queued a signed payment_intent.succeeded, as Stripe would send
    assert _staff_view(tenant, outcomes["4242"][0])["status"] == "paid"
    assert _staff_view(tenant, outcomes["3155"][0])["card_charge"]["failure_code"] == "authentication_required"


def test_an_invoice_is_charged_on_its_due_date_in_the_business_time_zone_not_a_day_early(
        tenant: Tenant, stripe_cards: FakeStripeCards) -> None:  # noqa: F811
    """Due 15 March in Los Angeles: at 20:00 on the 14th there (already the 15th in UTC) nothing is
    charged; from midnight on the 15th there, it is."""
    from datetime import UTC, datetime

    from chalicelib import clock
    from chalicelib.services.payments import autocharge

    try:
        clock.use(lambda: datetime(2031, 3, 15, 3, tzinfo=UTC))  # 14 March, 20:00 in Los Angeles
        made = _auto_invoice(tenant, stripe_cards)  # due "today" by UTC: 15 March
        assert made["doc"]["due_date"] == "2031-03-15"
        assert tenant.api.patch("/api/v1/business", {"time_zone": "America/Los_Angeles"}).status == 200
        assert autocharge.charge_due(clock.now().date()).outcomes.get(made["doc"]["id"]) == "not_due_yet"
        assert _intents(stripe_cards) == []
        clock.use(lambda: datetime(2031, 3, 15, 8, tzinfo=UTC))  # 15 March, 01:00 there
        assert autocharge.charge_due(clock.now().date()).outcomes.get(made["doc"]["id"]) == "submitted"
        assert len(_intents(stripe_cards)) == 1
    finally:
        clock.use(None)
