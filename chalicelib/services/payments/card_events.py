"""Stripe events about saved cards, auto-charges and pre-payments (called by `stripe_events`,
inside its once-per-event-id idempotency).

Only objects Paydrop started count: a setup session or a pre-payment it recorded, an
auto-charge whose invoice holds the claimed attempt. A payment is keyed by its PaymentIntent
id in the invoice's ledger, like every Stripe payment, so it is applied once whichever event
(or how many) carries it. PaymentIntents of invoice checkouts carry no `purpose` and are left
to `checkout.session.completed`.
"""
from __future__ import annotations

import logging
from typing import Any

from chalicelib import clock
from chalicelib.domain import autocharge as rules
from chalicelib.domain import payments as pay_rules
from chalicelib.services.billing.ledger import reconcile
from chalicelib.services.payments import autocharge, cards_gateway, prepayments, saved_cards, stripe_events
from chalicelib.store import documents as docs
from chalicelib.store import webhook_events
from chalicelib.store.businesses import get_business
from chalicelib.store.table import iso

log = logging.getLogger("paydrop.payments")


def purpose_of(obj: dict[str, Any]) -> str | None:
    metadata = obj.get("metadata") or {}
    return str(metadata.get("purpose")) if isinstance(metadata, dict) and metadata.get("purpose") else None


def is_ours(session: dict[str, Any]) -> bool:
    """A Checkout Session of this module (setup mode, or a pre-payment)."""
    return session.get("mode") == "setup" or purpose_of(session) == "prepayment"


def checkout_completed(session: dict[str, Any]) -> str:
    if session.get("mode") == "setup":
        return saved_cards.setup_completed(session)
    return prepayments.checkout_paid(session)


def card_saved_by_payment(customer_id: str, payment_intent: str) -> None:
    """An invoice paid with "save this card": Stripe keeps the card with the customer; make it the
    default when there is none (the offline checkout does this itself)."""
    if cards_gateway.offline():
        return
    _, default = cards_gateway.cards_of(customer_id)
    payment_method = cards_gateway.intent_payment_method(payment_intent) if default is None else None
    if payment_method:
        cards_gateway.set_default(customer_id, payment_method)


def setup_intent_succeeded(intent: dict[str, Any]) -> str:
    """The card is saved by Stripe; the session's `checkout.session.completed` makes it the
    default when needed. Nothing more to do, said in the log."""
    return "card_saved_by_checkout" if purpose_of(intent) == "setup" else "ignored"


def payment_intent_succeeded(intent: dict[str, Any]) -> str:
    purpose = purpose_of(intent)
    if purpose == "autocharge":
        return _autocharge_paid(intent)
    if purpose == "prepayment":
        return prepayments.intent_paid(intent)
    return "ignored"  # an invoice checkout's: applied by checkout.session.completed


def payment_intent_failed(intent: dict[str, Any]) -> str:
    """An auto-charge refused after Stripe accepted it (e.g. a bank debit that bounced)."""
    if purpose_of(intent) != "autocharge":
        return "ignored"
    claim, document = _claimed(intent)
    if claim is None or document is None or claim.payment_intent not in (None, intent.get("id")):
        return "rejected_unknown_intent"
    if claim.state != rules.SUBMITTED:
        return "already_recorded"
    error = intent.get("last_payment_error") or {}
    code = str(error.get("code") or "card_declined")
    autocharge.record_failure(claim, code, error.get("message"), str(intent.get("id")))
    business = get_business(document.business_id)
    autocharge.email_pay_link(document, business.name if business else "", code)
    return "autocharge_failed"


def _claimed(intent: dict[str, Any]) -> tuple[docs.AutoCharge | None, docs.Document | None]:
    metadata = intent.get("metadata") or {}
    business_id, doc_id, attempt = metadata.get("business_id"), metadata.get("doc_id"), metadata.get("attempt")
    if not isinstance(business_id, str) or not isinstance(doc_id, str) or not str(attempt or "").isdigit():
        return None, None
    claim = docs.get_autocharge(business_id, doc_id)
    if claim is None or int(str(attempt)) > int(claim.attempt):
        return None, None
    return claim, docs.get_document(business_id, doc_id)


def _autocharge_paid(intent: dict[str, Any]) -> str:
    claim, document = _claimed(intent)
    if claim is None or document is None:
        log.warning("payment intent %s does not match an auto-charge Paydrop claimed; not applied", intent.get("id"))
        return "rejected_unknown_intent"
    payment_intent = str(intent["id"])
    currency = str(intent.get("currency") or document.currency).upper()
    amount = pay_rules.from_stripe_units(int(intent.get("amount_received") or intent.get("amount") or 0), currency)
    webhook_events.remember_home(payment_intent, document.business_id, document.doc_id)
    held = stripe_events._held_because(document, currency)
    recorded = stripe_events._put_entry(document, payment_intent, kind=pay_rules.UNAPPLIED if held else pay_rules.PAYMENT,
                                        amount=amount, currency=currency, payment_intent=payment_intent, reference=held)
    claim.update(actions=[docs.AutoCharge.state.set(rules.PAID), docs.AutoCharge.payment_intent.set(payment_intent),
                          docs.AutoCharge.updated_at.set(iso(clock.now()))])
    result = reconcile(document.business_id, document.doc_id)
    if result and result.became_paid and not held:
        stripe_events._send_receipt(result.document)
    return "payment_recorded" if recorded else "payment_already_recorded"


HANDLERS = {
    "setup_intent.succeeded": setup_intent_succeeded,
    "payment_intent.succeeded": payment_intent_succeeded,
    "payment_intent.payment_failed": payment_intent_failed,
}
