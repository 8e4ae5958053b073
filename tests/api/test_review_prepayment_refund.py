"""Adversarial review: a pre-payment refunded in Stripe must take its credit back. Before, the
`charge.refunded` of a pre-payment's charge was ignored as a foreign charge: the client kept
credit for money it had been given back, and could pay an invoice with it."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, QueueWorker, Tenant
from tests.support.cards import FakeStripeCards, stripe_cards  # noqa: F401 (fixture)
from tests.support.client_flows import FORM
from tests.support.payments import post_event, stripe_event, stripe_object
from tests.support.portal import client_with_contact, portal_link

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def _prepaid(tenant: Tenant, anonymous: Api, worker: QueueWorker, amount: int) -> dict[str, Any]:
    """A client whose pre-payment of `amount` cents landed as credit; its ids and PaymentIntent."""
    from chalicelib.store import cards

    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True, "prepayment_enabled": True,
                                                 "prepayment_minimum": 1000}).status == 200
    client_id, contact_id = client_with_contact(tenant, email="rita@refund.test")
    path = portal_link(tenant, client_id, contact_id)
    assert anonymous.call("POST", f"{path}/pre-payment", f"amount_text={amount / 100:.2f}", headers=FORM).status == 303
    [prepayment] = [i for i in cards.client_collection(tenant.business_id, client_id) if isinstance(i, cards.Prepayment)]
    ids = {"business_id": tenant.business_id, "client_id": client_id, "prepay_id": prepayment.prepay_id,
           "purpose": "prepayment"}
    post_event(anonymous, stripe_event("checkout.session.completed", stripe_object(
        "checkout.session.completed", id=prepayment.session_id, amount_total=amount, currency="eur",
        payment_intent="pi_review_" + prepayment.prepay_id, metadata=ids)))
    worker.drain()
    return {"client_id": client_id, "ids": ids, "pi": "pi_review_" + prepayment.prepay_id}


def _refunded(anonymous: Api, worker: QueueWorker, made: dict[str, Any], total: int, event_id: str) -> None:
    charge = stripe_object("charge.refunded", id="ch_" + made["pi"], payment_intent=made["pi"], currency="eur",
                           amount=10000, amount_refunded=total, refunded=total == 10000, metadata=made["ids"])
    assert post_event(anonymous, {**stripe_event("charge.refunded", charge), "id": event_id}).status == 200
    worker.drain()


def _credits(tenant: Tenant, client_id: str) -> dict[str, Any]:
    return tenant.api.get(f"/api/v1/clients/{client_id}/credits").json  # type: ignore[no-any-return]


def _adds_up(listing: dict[str, Any]) -> None:
    received = sum(n["amount"] for n in listing["credit_notes"])
    applied = sum(a["amount"] for a in listing["applications"])
    assert received == applied + listing["available"].get("EUR", 0)


def test_a_refunded_pre_payment_takes_its_credit_back_once(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, stripe_worker: QueueWorker) -> None:  # noqa: F811
    made = _prepaid(tenant, anonymous, stripe_worker, 10000)
    assert _credits(tenant, made["client_id"])["available"] == {"EUR": 10000}
    _refunded(anonymous, stripe_worker, made, 3000, "evt_refund_1")  # a partial refund
    _refunded(anonymous, stripe_worker, made, 3000, "evt_refund_1b")  # the same total told again
    listing = _credits(tenant, made["client_id"])
    assert listing["available"] == {"EUR": 7000}
    _adds_up(listing)
    _refunded(anonymous, stripe_worker, made, 10000, "evt_refund_2")  # then the rest (cumulative)
    _refunded(anonymous, stripe_worker, made, 3000, "evt_refund_late")  # an older total arriving late
    listing = _credits(tenant, made["client_id"])
    assert listing["available"] == {"EUR": 0}
    _adds_up(listing)


def test_credit_already_spent_then_refunded_leaves_the_client_owing_and_offers_nothing(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, stripe_worker: QueueWorker) -> None:  # noqa: F811
    from tests.support.portal import make_document

    made = _prepaid(tenant, anonymous, stripe_worker, 10000)
    invoice = make_document(tenant, made["client_id"], amount=6000)
    assert tenant.api.post(f"/api/v1/clients/{made['client_id']}/credits/apply", {"invoice_id": invoice["id"]}).status == 200
    _refunded(anonymous, stripe_worker, made, 10000, "evt_refund_all")
    listing = _credits(tenant, made["client_id"])
    assert listing["available"] == {"EUR": -6000}
    _adds_up(listing)
    second = make_document(tenant, made["client_id"], amount=1000)
    assert tenant.api.post(f"/api/v1/clients/{made['client_id']}/credits/apply",
                           {"invoice_id": second["id"]}).status == 409


def _dispute(anonymous: Api, worker: QueueWorker, made: dict[str, Any], name: str, status: str, event_id: str) -> None:
    dispute = stripe_object(name, id="dp_" + made["pi"], payment_intent=made["pi"], amount=10000, currency="eur",
                            status=status)
    assert post_event(anonymous, {**stripe_event(name, dispute), "id": event_id}).status == 200
    worker.drain()  # before: RetryLater ("no invoice yet") on every delivery, until the DLQ


def test_a_disputed_pre_payment_withholds_its_credit_until_the_dispute_is_won(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, stripe_worker: QueueWorker) -> None:  # noqa: F811
    made = _prepaid(tenant, anonymous, stripe_worker, 10000)
    _dispute(anonymous, stripe_worker, made, "charge.dispute.created", "warning_needs_response", "evt_inquiry")
    assert _credits(tenant, made["client_id"])["available"] == {"EUR": 10000}  # an inquiry takes nothing
    _dispute(anonymous, stripe_worker, made, "charge.dispute.created", "needs_response", "evt_open")
    _dispute(anonymous, stripe_worker, made, "charge.dispute.created", "needs_response", "evt_open_again")
    assert _credits(tenant, made["client_id"])["available"] == {"EUR": 0}
    _dispute(anonymous, stripe_worker, made, "charge.dispute.closed", "won", "evt_won")
    _dispute(anonymous, stripe_worker, made, "charge.dispute.created", "needs_response", "evt_open_late")
    listing = _credits(tenant, made["client_id"])
    assert listing["available"] == {"EUR": 10000}
    _adds_up(listing)


def test_a_lost_dispute_keeps_the_credit_taken_back(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, stripe_worker: QueueWorker) -> None:  # noqa: F811
    made = _prepaid(tenant, anonymous, stripe_worker, 10000)
    _dispute(anonymous, stripe_worker, made, "charge.dispute.closed", "lost", "evt_lost")  # the close came first
    _dispute(anonymous, stripe_worker, made, "charge.dispute.created", "needs_response", "evt_open")
    listing = _credits(tenant, made["client_id"])
    assert listing["available"] == {"EUR": 0}
    _adds_up(listing)
