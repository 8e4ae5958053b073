"""Auto-charge: charge a sent invoice to the client's default saved card, off-session.

1. Claim: a conditional write on the invoice's `AUTOCHARGE` item takes the next attempt number
   (or, for a claim whose run died mid-call, the same one) before Stripe is called. A second
   run while a charge is in flight finds the claim taken and does nothing.
2. Charge: one PaymentIntent (`confirm=True, off_session=True`, the customer and its default
   card) with the idempotency key `autocharge-{business}-{invoice}-{attempt}`: a retry of the
   same attempt gets Stripe's first answer back, never a second charge.
3. Outcome: success is applied by the payment webhook (`payment_intent.succeeded`, keyed by the
   PaymentIntent id like every Stripe payment: never twice); a decline or
   `authentication_required` records why on the invoice for staff and emails the client's
   contacts the invoice link to pay themselves. No automatic retry after that.

The scheduler charges open auto-charge invoices on their due date (catching up a week of
missed runs); staff can "charge now" any open invoice of a client with a saved card.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain import autocharge as rules
from chalicelib.domain import invoices as invoice_rules
from chalicelib.domain import payments as pay_rules
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.principal import Principal
from chalicelib.services.billing.documents import get_document as get_staff_document
from chalicelib.services.billing.share_link import share_path, share_token_of
from chalicelib.services.notifications.notifications import email_client
from chalicelib.services.payments import cards_gateway, customers, stripe_gateway
from chalicelib.store import agenda
from chalicelib.store import documents as docs
from chalicelib.store.businesses import get_business
from chalicelib.store.table import conditional, iso

log = logging.getLogger("paydrop.payments")


@dataclass
class ChargeRun:
    """What one run did: how many invoices per outcome, and each invoice's outcome."""

    checked: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)

    def add(self, doc_id: str, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        self.outcomes[doc_id] = outcome


def charge_due(today: date) -> ChargeRun:
    """The scheduler's job: every open auto-charge invoice due today (or in the catch-up window)."""
    run = ChargeRun()
    keys = [key for day in rules.dates_to_check(today) for key in agenda.invoices_due_on(day)]
    for document in agenda.invoices(keys):
        if not document.auto_charge:
            continue
        run.checked += 1
        try:
            run.add(document.doc_id, charge_invoice(document.business_id, document.doc_id))
        except Exception:  # one invoice's trouble never stops the others; the claim lets a later run retry
            log.exception("auto-charge of %s failed", document.doc_id)
            run.add(document.doc_id, "error")
    return run


def charge_invoice(business_id: str, doc_id: str, by_staff: bool = False) -> str:
    """Charge one invoice's balance to the client's default card; returns what happened:
    `submitted` (Stripe took it; the webhook applies it), `failed`, `in_flight` / `already`
    (another run holds or made the charge), or why nothing was due."""
    document = docs.get_document(business_id, doc_id)
    if document is None or document.kind != invoice_rules.INVOICE:
        raise NotFound("Invoice not found.")
    if not by_staff and not document.auto_charge:
        return "not_auto_charge"
    if document.status not in invoice_rules.OPEN_STATUSES or document.balance <= 0:
        return "nothing_due"
    if document.balance < pay_rules.stripe_minimum(document.currency):
        return "below_card_minimum"  # Stripe would refuse it: left for the client or staff
    business = get_business(business_id)
    if business is None or not stripe_gateway.online_payment_available(bool(business.stripe_enabled)):
        return "online_payment_off"
    if not by_staff and document.due_date and document.due_date > clock.today(business.time_zone).isoformat():
        return "not_due_yet"  # the run's date is UTC's: west of it, the due date has not come yet there
    claim = _claim(document, by_staff, clock.now())
    if claim is None:
        return "in_flight" if _state(business_id, doc_id) == rules.CHARGING else "already"
    return _charge(document, claim, business.name)


def _state(business_id: str, doc_id: str) -> str | None:
    item = docs.get_autocharge(business_id, doc_id)
    return item.state if item else None


def _claim(document: docs.Document, by_staff: bool, now: datetime) -> docs.AutoCharge | None:
    """Take an attempt with a conditional write; None if another run holds or finished one."""
    stamp = iso(now)
    current = docs.get_autocharge(document.business_id, document.doc_id)
    if current is None:
        item = docs.AutoCharge(document.pk, docs.AUTOCHARGE_SK, doc_id=document.doc_id,
                               business_id=document.business_id, attempt=1, state=rules.CHARGING,
                               claimed_at=stamp, amount=document.balance, updated_at=stamp)
        return _taken(lambda: item.save(condition=docs.AutoCharge.pk.does_not_exist()), item)
    if current.state == rules.CHARGING and current.claimed_at <= iso(now - rules.STALE_CLAIM):
        # The run that claimed it died mid-call: the same attempt again (same key, same charge).
        condition = (docs.AutoCharge.state == rules.CHARGING) & (docs.AutoCharge.claimed_at == current.claimed_at)
        actions: list[Action] = [docs.AutoCharge.claimed_at.set(stamp), docs.AutoCharge.updated_at.set(stamp)]
    elif current.state == rules.FAILED and by_staff:
        condition = (docs.AutoCharge.state == rules.FAILED) & (docs.AutoCharge.attempt == current.attempt)
        actions = [docs.AutoCharge.attempt.set(int(current.attempt) + 1), docs.AutoCharge.state.set(rules.CHARGING),
                   docs.AutoCharge.claimed_at.set(stamp), docs.AutoCharge.updated_at.set(stamp),
                   docs.AutoCharge.amount.set(document.balance)]
    else:
        return None
    return _taken(lambda: current.update(actions=actions, condition=condition), current)


def _taken(write: Callable[[], object], item: docs.AutoCharge) -> docs.AutoCharge | None:
    try:
        conditional(write, "Claimed by another run.")
    except Conflict:
        return None
    return item


def _charge(document: docs.Document, claim: docs.AutoCharge, business_name: str) -> str:
    customer_id = customers.existing_customer(document.business_id, document.client_id)
    _, default = cards_gateway.cards_of(customer_id) if customer_id else ([], None)
    if customer_id is None or default is None:
        return _failed(document, claim, "no_saved_card", None, business_name)
    attempt, amount = int(claim.attempt), int(claim.amount)
    ids = {"business_id": document.business_id, "doc_id": document.doc_id, "purpose": "autocharge",
           "attempt": str(attempt), "amount": str(amount)}
    params = {
        "amount": pay_rules.to_stripe_units(amount, document.currency), "currency": document.currency.lower(),
        "customer": customer_id, "payment_method": default, "confirm": True, "off_session": True,
        "description": f"Invoice {document.number} — {business_name}", "metadata": ids,
    }
    try:
        intent = cards_gateway.charge_off_session(params, rules.idempotency_key(document.business_id, document.doc_id,
                                                                                attempt))
    except cards_gateway.CardFailure as e:
        return _failed(document, claim, e.code, e.message, business_name, e.payment_intent)
    stamp = iso(clock.now())
    claim.update(actions=[docs.AutoCharge.state.set(rules.SUBMITTED), docs.AutoCharge.payment_intent.set(intent.id),
                          docs.AutoCharge.failure_code.remove(), docs.AutoCharge.failure_reason.remove(),
                          docs.AutoCharge.updated_at.set(stamp)],
                 condition=docs.AutoCharge.attempt == attempt)
    log.info("auto-charge of %s attempt %d: %s (%s)", document.doc_id, attempt, intent.id, intent.status)
    return "submitted"


def _failed(document: docs.Document, claim: docs.AutoCharge, code: str, message: str | None, business_name: str,
            payment_intent: str | None = None) -> str:
    """Record why for staff, then email the client's contacts the link to pay themselves."""
    record_failure(claim, code, message, payment_intent)
    log.info("auto-charge of %s attempt %s failed: %s", document.doc_id, claim.attempt, code)
    email_pay_link(document, business_name, code)
    return "failed"


def record_failure(claim: docs.AutoCharge, code: str, message: str | None, payment_intent: str | None = None) -> None:
    actions: list[Action] = [docs.AutoCharge.state.set(rules.FAILED), docs.AutoCharge.failure_code.set(code),
               docs.AutoCharge.failure_reason.set(rules.failure_reason(code, message)),
               docs.AutoCharge.updated_at.set(iso(clock.now()))]
    if payment_intent:
        actions.append(docs.AutoCharge.payment_intent.set(payment_intent))
    claim.update(actions=actions)


def email_pay_link(document: docs.Document, business_name: str, code: str) -> None:
    """The client's contacts get `email/auto_charge_failed.html`: why, what is open, and a Pay button."""
    link = f"{settings().public_base_url}{share_path(share_token_of(document))}"
    ask = ("Your bank asks you to confirm this payment yourself."
           if code == "authentication_required" else "We could not charge your saved card.")
    business = get_business(document.business_id)
    if business is None:
        return
    data = {"number": document.number, "balance": int(document.balance), "currency": document.currency,
            "reason": ask, "url": link}
    try:
        email_client(business, document.client_id, "documents", "auto_charge_failed", data)
    except NotFound:
        log.warning("auto-charge of %s failed and the client has no contact to tell", document.doc_id)


def status_of(business_id: str, doc_id: str) -> dict[str, object] | None:
    """What staff see on the invoice: the last attempt, its state and why it failed."""
    item = docs.get_autocharge(business_id, doc_id)
    if item is None:
        return None
    return {"attempt": int(item.attempt), "state": item.state, "amount": int(item.amount),
            "failure_code": item.failure_code, "failure_reason": item.failure_reason,
            "payment_intent": item.payment_intent, "updated_at": item.updated_at}


_REFUSED = {
    "nothing_due": "This invoice has nothing left to pay.",
    "below_card_minimum": "The balance is below the smallest amount a card can be charged.",
    "online_payment_off": "Online payment is off for this business, so there is no saved card to charge.",
    "in_flight": "A charge for this invoice is already in progress.",
    "already": "This invoice was already charged; the payment is being confirmed.",
}


def charge_now(principal: Principal, doc_id: str) -> tuple[str, dict[str, object] | None]:
    """Staff's "charge now": the same claim and key as the scheduler's, so it cannot double a
    charge in flight. Returns the outcome (`submitted` or `failed`) and the invoice's auto-charge state."""
    document = get_staff_document(principal, invoice_rules.INVOICE, doc_id)
    outcome = charge_invoice(principal.business_id, document.doc_id, by_staff=True)
    if outcome in _REFUSED:
        raise Conflict(_REFUSED[outcome])
    return outcome, status_of(principal.business_id, document.doc_id)
