"""Stripe events: received by the webhook (verified, queued, answered at once) and processed
by the payments worker.

Processing is idempotent and order-independent. Each fact becomes a ledger entry keyed by
Stripe's own ids (a payment per PaymentIntent, one cumulative refund entry per
PaymentIntent, one entry per dispute), written so that a repeat or an older fact changes
nothing; then the invoice is reconciled from its whole ledger (`services/ledger`). On top of
that, each event id is applied once: Powertools Idempotency writes an in-progress record with a
condition before the handler runs (`store/idempotency.py`), so two deliveries of one event at
once never both apply it, and a redelivery of an applied event is answered `duplicate`.
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from chalicelib import clock, queues
from chalicelib.config import settings
from chalicelib.domain import invoices as rules
from chalicelib.domain import payments as pay_rules
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.services.billing.ledger import reconcile
from chalicelib.services.developer import events, payloads
from chalicelib.services.notifications import email_render
from chalicelib.services.notifications.notifications import email_client
from chalicelib.services.payments import stripe_gateway
from chalicelib.store import documents as docs
from chalicelib.store import idempotency, webhook_events
from chalicelib.store.businesses import get_business
from chalicelib.store.table import conditional, iso

log = logging.getLogger("paydrop.payments")
# Stripe retries a webhook for up to 3 days; an event id is remembered for 30 (the record's TTL).
KEEP_EVENTS_SECONDS = 30 * 24 * 3600


class RetryLater(Exception):
    """A fact that cannot be placed yet (e.g. a dispute before its payment): SQS redelivers it."""


def receive(payload: bytes, signature_header: str | None) -> str:
    """Verify a webhook and queue it for the worker; returns the event id."""
    event = stripe_gateway.verified_event(payload, signature_header)
    # Refused: 503, so Stripe delivers the event again later.
    queues.send(settings().stripe_events_queue_url, payload.decode("utf-8"), "The event could not be queued; send it again.")
    return str(event["id"])


def process(event: dict[str, Any]) -> str:
    """Apply one Stripe event, once per event id however often it is delivered; returns what happened
    (`duplicate` for an event already applied). Raises `IdempotencyAlreadyInProgressError` while
    another delivery of the same event is being applied (SQS redelivers it later)."""
    return str(_idempotent()(event=event))


def use_lambda_context(context: Any) -> None:
    """Bound in-progress records by the invocation's remaining time (the payments worker calls
    this at the start of each batch, and with None at its end): a worker that dies mid-way blocks
    the event only until it would have timed out, then a redelivery applies it."""
    _idempotency_config().register_lambda_context(context)


def _apply(event: dict[str, Any]) -> str:
    event_id, event_type = str(event["id"]), str(event["type"])
    handler, whole = HANDLERS.get(event_type), EVENT_HANDLERS.get(event_type)
    outcome = whole(event) if whole else handler(event["data"]["object"]) if handler else "ignored"
    log.info("stripe event %s (%s): %s", event_id, event_type, outcome)
    return outcome


@lru_cache(maxsize=1)
def _idempotency_config() -> Any:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(event_key_jmespath="id", raise_on_no_idempotency_key=True,
                             expires_after_seconds=KEEP_EVENTS_SECONDS, response_hook=lambda *_: "duplicate")


@lru_cache(maxsize=1)
def _idempotent() -> Callable[..., Any]:
    """`_apply` behind Powertools Idempotency (built on first use: no client at import)."""
    from aws_lambda_powertools.utilities.idempotency import idempotent_function

    return idempotent_function(  # type: ignore[no-any-return]
        _apply, data_keyword_argument="event", config=_idempotency_config(),
        persistence_store=idempotency.persistence_layer("stripe-events"), key_prefix="stripe-event")


# --- where a fact belongs -------------------------------------------------------------


# --- checkout sessions ----------------------------------------------------------------


def _our_checkout(session: dict[str, Any]) -> docs.CheckoutSession | None:
    """The session as Paydrop created it, found through its metadata; None if the metadata
    points at an invoice that never created this session (tampered, or another account's)."""
    metadata = session.get("metadata") or {}
    business_id, doc_id = metadata.get("business_id"), metadata.get("doc_id")
    if not isinstance(business_id, str) or not isinstance(doc_id, str) or not business_id or not doc_id:
        return None
    try:
        return docs.CheckoutSession.get(docs.doc_pk(business_id, doc_id), docs.checkout_sk(str(session["id"])),
                                        consistent_read=True)
    except docs.CheckoutSession.DoesNotExist:
        return None


def _set_checkout_status(checkout: docs.CheckoutSession, status: str) -> None:
    checkout.update(actions=[docs.CheckoutSession.status.set(status), docs.CheckoutSession.updated_at.set(iso(clock.now()))])


def _buy_link_payment(session: dict[str, Any]) -> bool:
    """A one-off buy link's checkout (services/selling); a subscription's is handled elsewhere."""
    from chalicelib.services.selling import sales

    return sales.is_ours(session) and session.get("mode", "payment") == "payment"


def checkout_completed(session: dict[str, Any]) -> str:
    from chalicelib.services.payments import card_events  # saved cards and pre-payments

    if _buy_link_payment(session):
        from chalicelib.services.selling import sales

        return sales.checkout_completed(session)
    if card_events.is_ours(session):
        return card_events.checkout_completed(session)
    if session.get("mode") == "subscription":  # a recurring buy link (services/subscriptions)
        from chalicelib.services.subscriptions import mirror

        return mirror.checkout_completed(session)
    if session.get("payment_status") != "paid":
        return "awaiting_async_payment"  # e.g. a bank debit: async_payment_succeeded follows
    return _record_checkout_payment(session)


def async_payment_succeeded(session: dict[str, Any]) -> str:
    from chalicelib.services.payments import card_events

    if _buy_link_payment(session):
        from chalicelib.services.selling import sales

        return sales.checkout_completed({**session, "payment_status": "paid"})
    if card_events.is_ours(session):
        return card_events.checkout_completed({**session, "payment_status": "paid"})
    return _record_checkout_payment(session)


def _record_checkout_payment(session: dict[str, Any]) -> str:
    checkout = _our_checkout(session)
    if checkout is None:
        log.warning("checkout session %s does not match an invoice that created it; not applied", session.get("id"))
        return "rejected_unknown_session"
    document = docs.get_document(checkout.business_id, checkout.doc_id)
    if document is None:
        return "rejected_unknown_invoice"
    payment_intent = str(session.get("payment_intent") or session["id"])
    currency = str(session.get("currency") or "").upper()
    amount = pay_rules.from_stripe_units(int(session.get("amount_total") or 0), currency or document.currency)
    webhook_events.remember_home(payment_intent, checkout.business_id, checkout.doc_id)
    held = _held_because(document, currency)
    if amount != int(checkout.amount):
        log.warning("checkout %s paid %s, asked %s", checkout.session_id, amount, checkout.amount)
    _put_entry(document, payment_intent, kind=pay_rules.UNAPPLIED if held else pay_rules.PAYMENT, amount=amount,
               currency=currency or document.currency, payment_intent=payment_intent, session_id=checkout.session_id,
               reference=held)
    _set_checkout_status(checkout, "complete")
    _next_attempt(document, int(checkout.attempt))
    if checkout.save_card_for:  # "save this card": the default card for auto-charge, if none yet
        from chalicelib.services.payments import card_events

        card_events.card_saved_by_payment(str(checkout.save_card_for), payment_intent)
    if held:
        log.error("checkout %s not applied to invoice %s: %s; held for staff to refund", checkout.session_id,
                  document.doc_id, held)
        reconcile(checkout.business_id, checkout.doc_id)
        return "rejected_currency_mismatch" if currency != document.currency else "held_for_refund"
    result = reconcile(checkout.business_id, checkout.doc_id)
    if result and result.became_paid:
        _send_receipt(result.document)
    return "payment_recorded"


def _held_because(document: docs.Document, currency: str) -> str | None:
    """Why money received cannot count toward this invoice (it is held for staff to refund), if it cannot."""
    if currency != document.currency:
        return f"paid in {currency or '?'}, the invoice is in {document.currency}"
    if document.status in (rules.CANCELLED, rules.DRAFT):
        return f"paid after the invoice was {document.status}"
    return None


def _next_attempt(document: docs.Document, attempt: int) -> None:
    """A finished checkout ends its attempt: the next Pay click (another part payment, or paying
    again after a refund) gets a new idempotency key, hence a new session."""
    with contextlib.suppress(Conflict):  # already moved on (a later attempt, or a repeat of this event)
        conditional(lambda: document.update(actions=[docs.Document.checkout_attempt.set(attempt + 1)],
                                            condition=docs.Document.checkout_attempt <= attempt,
                                            add_version_condition=False), "Already moved on.")


def _put_entry(document: docs.Document, key: str, kind: str, amount: int, currency: str, *,
               payment_intent: str | None = None, session_id: str | None = None, reference: str | None = None,
               dispute_status: str | None = None) -> bool:
    """Write a Stripe ledger entry unless it exists (a repeat of the same fact changes nothing)."""
    now = clock.now()
    entry = docs.new_stripe_entry(
        document, key, iso(now), kind=kind, amount=amount, currency=currency, method="stripe",
        received_on=now.date().isoformat(), stripe_payment_intent=payment_intent,
        stripe_checkout_session=session_id, reference=reference, dispute_status=dispute_status,
    )
    try:
        conditional(lambda: entry.save(condition=docs.Payment.pk.does_not_exist()), "Already recorded.")
    except Conflict:
        return False
    return True


def checkout_ended(status: str) -> Callable[[dict[str, Any]], str]:
    """Expired or failed: the next Pay click starts a new attempt (a new idempotency key)."""

    def handle(session: dict[str, Any]) -> str:
        from chalicelib.services.selling import sales

        if sales.is_ours(session):  # a buy link's (either mode): its reserved units come back
            return sales.checkout_expired(session)
        checkout = _our_checkout(session)
        if checkout is None:
            return "rejected_unknown_session"
        if checkout.status == "complete":
            return "already_complete"
        _set_checkout_status(checkout, status)
        document = docs.get_document(checkout.business_id, checkout.doc_id)
        if document is not None:
            _next_attempt(document, int(checkout.attempt))
        return f"checkout_{status}"

    return handle


# --- refunds and disputes -------------------------------------------------------------


def _document_for(payment_intent: str | None, metadata: dict[str, Any] | None) -> docs.Document | None:
    """The invoice a charge or dispute belongs to: by the PaymentIntent we recorded, or (a
    refund that overtook its payment) by the ids Stripe copied into the charge's metadata."""
    home = webhook_events.home_of(payment_intent) if payment_intent else None
    if home is None and metadata and isinstance(metadata.get("business_id"), str) and isinstance(metadata.get("doc_id"), str):
        home = (metadata["business_id"], metadata["doc_id"])
        if payment_intent:
            webhook_events.remember_home(payment_intent, *home)
    return docs.get_document(*home) if home else None


def _payment_was_held(document: docs.Document, payment_intent: str, currency: str) -> bool:
    """Refunds and disputes of money that never counted toward the invoice must not count either."""
    if currency != document.currency:
        return True
    try:
        payment = docs.Payment.get(document.pk, docs.stripe_entry_sk(payment_intent), consistent_read=True)
    except docs.Payment.DoesNotExist:
        return False  # not recorded yet (the refund overtook it): it will count when it lands
    return payment.kind == pay_rules.UNAPPLIED


def charge_refunded(charge: dict[str, Any]) -> str:
    """Refunds are cumulative on the charge: the entry keeps the largest total seen."""
    payment_intent = str(charge.get("payment_intent") or charge["id"])
    metadata = charge.get("metadata")
    if webhook_events.home_of(payment_intent) is None and not (isinstance(metadata, dict) and metadata.get("doc_id")):
        return "ignored_foreign_charge"  # not a Paydrop payment (a Dashboard charge on the same account)
    document = _document_for(payment_intent, metadata)
    if document is None:
        return "ignored_unknown_invoice"
    currency = str(charge.get("currency") or document.currency).upper()
    refunded = pay_rules.from_stripe_units(int(charge.get("amount_refunded") or 0), currency)
    held = _payment_was_held(document, payment_intent, currency)
    entry = docs.new_stripe_entry(
        document, f"{payment_intent}#refunds", iso(clock.now()), kind=pay_rules.UNAPPLIED if held else pay_rules.REFUND,
        amount=refunded, currency=currency, method="stripe",
        received_on=clock.now().date().isoformat(), stripe_payment_intent=payment_intent,
    )
    grew = docs.Payment.pk.does_not_exist() | (docs.Payment.amount < refunded)
    try:
        conditional(lambda: entry.save(condition=grew), "An equal or larger refund is recorded.")
    except Conflict:
        return "refund_already_recorded"
    result = reconcile(document.business_id, document.doc_id)
    if not held:
        events.emit(document.business_id, "payment.refunded", {
            "invoice_id": document.doc_id, "payment_intent": payment_intent, "currency": currency,
            "amount_refunded": refunded, "invoice": payloads.document(result.document if result else document)})
    return "refund_recorded"


def dispute_status(stripe_status: str, closing: bool) -> str:
    """Stripe's dispute status in our terms: an inquiry (`warning_*`) takes no money back."""
    if closing:
        return pay_rules.DISPUTE_LOST if stripe_status == "lost" else pay_rules.DISPUTE_WON
    return pay_rules.INQUIRY if stripe_status.startswith("warning_") else pay_rules.DISPUTE_OPEN


def dispute_event(closing: bool) -> Callable[[dict[str, Any]], str]:
    def handle(dispute: dict[str, Any]) -> str:
        payment_intent = dispute.get("payment_intent")
        document = _document_for(str(payment_intent) if payment_intent else None, None)
        if document is None:
            raise RetryLater(f"no invoice yet for dispute {dispute.get('id')}")
        status = dispute_status(str(dispute.get("status") or ""), closing)
        currency = str(dispute.get("currency") or document.currency).upper()
        held = _payment_was_held(document, str(payment_intent), currency)
        entry = docs.new_stripe_entry(
            document, str(dispute["id"]), iso(clock.now()), kind=pay_rules.UNAPPLIED if held else pay_rules.DISPUTE,
            amount=pay_rules.from_stripe_units(int(dispute.get("amount") or 0), currency), currency=currency,
            method="stripe", received_on=clock.now().date().isoformat(), stripe_payment_intent=str(payment_intent),
            dispute_status=status,
        )
        # An open dispute (or inquiry) never overwrites a closed one (the close may arrive first).
        condition = docs.Payment.pk.does_not_exist()
        if closing:
            condition |= docs.Payment.dispute_status.is_in(pay_rules.DISPUTE_OPEN, pay_rules.INQUIRY)
        try:
            conditional(lambda: entry.save(condition=condition), "Already recorded.")
        except Conflict:
            return "dispute_already_recorded"
        reconcile(document.business_id, document.doc_id)
        return f"dispute_{status}"

    return handle


def _send_receipt(document: docs.Document) -> None:
    """The client's receipt (`email/receipt.html`), once the invoice is paid in full (exactly once: see
    `reconcile`). Sent to the client's contacts who still want documents; with no contact, to the billing address."""
    business = get_business(document.business_id)
    if business is None:
        return
    page = f"{settings().public_base_url}/invoice/{document.share_token}?src=email" if document.share_token else ""
    data = {"number": document.number, "total": int(document.total), "currency": document.currency, "url": page}
    try:
        email_client(business, document.client_id, "documents", "receipt", data)
    except NotFound:
        if document.bill_to.email:
            email_render.send(document.bill_to.email, "receipt", business, data)


HANDLERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "checkout.session.completed": checkout_completed,
    "checkout.session.async_payment_succeeded": async_payment_succeeded,
    "checkout.session.async_payment_failed": checkout_ended("failed"),
    "checkout.session.expired": checkout_ended("expired"),
    "charge.refunded": charge_refunded,
    "charge.dispute.created": dispute_event(closing=False),
    "charge.dispute.closed": dispute_event(closing=True),
}


def _card_event(name: str) -> Callable[[dict[str, Any]], str]:
    """Saved cards, auto-charges and pre-payments (services/payments/card_events.py), imported when used."""

    def handle(obj: dict[str, Any]) -> str:
        from chalicelib.services.payments import card_events

        return card_events.HANDLERS[name](obj)

    return handle


HANDLERS.update({name: _card_event(name) for name in (
    "setup_intent.succeeded", "payment_intent.succeeded", "payment_intent.payment_failed")})


def _subscription_event(name: str) -> Callable[[dict[str, Any]], str]:
    """Subscriptions (services/subscriptions/events.py), imported when used; they read the whole
    event (its `created` orders the subscription's states)."""

    def handle(event: dict[str, Any]) -> str:
        from chalicelib.services.subscriptions import events

        return events.HANDLERS[name](event)

    return handle


# Handlers of the whole event (not only its object).
EVENT_HANDLERS: dict[str, Callable[[dict[str, Any]], str]] = {name: _subscription_event(name) for name in (
    "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
    "customer.subscription.paused", "customer.subscription.resumed", "invoice.paid", "invoice.payment_failed")}
