"""Pre-payments: the client pays an amount of their choosing (at least the business's minimum,
in the business's currency) through Checkout, and it lands as credit (a `PP-` credit note and
the client's credit balance, services/billing/credits.py) once Stripe's webhook arrives — once
per pre-payment, however often the event comes (a conditional transition pending → received,
in the same transaction as the credit). Staff apply credit to invoices from the dashboard; the
client applies it when paying in the portal.

Repeating: no Stripe subscription. The first payment saves the card (`setup_future_usage`), and
the scheduler charges the same amount off-session on each later date (`charge_due_plans`), a
charge claimed with a conditional write before Stripe is called and keyed
`prepay-{plan}-{n}`: a retried run never charges a date twice. A failed charge pauses the plan
and tells the client.
"""
from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain import autocharge as rules
from chalicelib.domain import payments as pay_rules
from chalicelib.domain.card_inputs import MAX_TIMES, MIN_TIMES, PrepaymentInput
from chalicelib.domain.errors import Conflict, NotFound, Unavailable, ValidationError
from chalicelib.domain.money import format_amount, parse_major
from chalicelib.domain.tokens import new_id
from chalicelib.services.billing.credits import add_to_balance
from chalicelib.services.payments import cards_gateway, checkout, customers, plan_views, stripe_gateway
from chalicelib.services.portal.portal import PortalAccess, business_for, reader_locale
from chalicelib.store import cards as store
from chalicelib.store import credits as credit_store
from chalicelib.store.businesses import Business, next_number
from chalicelib.store.clients import billing_email
from chalicelib.store.table import conditional, iso, transaction

TAB = "pre-payment"
OFFLINE_PREFIX = "cs_offprepay_"


def enabled(business: Business) -> bool:
    return bool(business.prepayment_enabled) and stripe_gateway.online_payment_available(bool(business.stripe_enabled))


def minimum_of(business: Business) -> int:
    return max(int(business.prepayment_minimum or 0), pay_rules.stripe_minimum(business.currency))


def _money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency, "display": format_amount(amount, currency)}


def _open(access: PortalAccess) -> Business:
    business = business_for(access)
    if not enabled(business):
        raise NotFound("This part of the portal is not available.", field="tab")
    return business


def open_tab(access: PortalAccess) -> Business:
    """The business, when its portal has the Pre-payment tab (else NotFound)."""
    return _open(access)


def prepayment_tab(access: PortalAccess, params: Any) -> dict[str, Any]:
    """The form (minimum, currency) and the client's pre-payments and repeating plans (one Query)."""
    business = _open(access)
    items = store.client_collection(access.business_id, access.client_id)
    paid = sorted((i for i in items if isinstance(i, store.Prepayment) and i.status != "pending"),
                  key=lambda p: p.created_at, reverse=True)
    return {
        "currency": business.currency, "minimum": _money(minimum_of(business), business.currency),
        "history": [{"amount": _money(int(p.amount), p.currency), "status": p.status, "on": p.created_at[:10],
                     "reason": p.failure_reason, "receipt": p.prepay_id if p.status == "received" else None}
                    for p in paid[:25]],
        "plans": plan_views.plans_of(items),
        "paid": (params or {}).get("prepayment") == "success",
        "max_times": MAX_TIMES,
    }


def _terms(business: Business, data: PrepaymentInput, locale: str) -> tuple[int, str | None, int]:
    """The amount (≥ the minimum), the frequency (None: once) and how many times in all."""
    currency = business.currency
    try:
        amount = parse_major(data.amount_text, currency, locale)  # typed as the portal writes amounts
    except ValueError as e:
        raise ValidationError(f"Enter an amount like 40.00 ({currency}).", field="amount_text") from e
    minimum = minimum_of(business)
    if amount < minimum:
        raise ValidationError(f"The smallest pre-payment is {format_amount(minimum, currency)}.", field="amount_text")
    try:  # Stripe's limits and rules for the currency, said about the field the client typed in
        pay_rules.to_stripe_units(amount, currency)
    except ValidationError as e:
        raise ValidationError(e.message, field="amount_text") from e
    frequency = data.repeat if data.repeat in rules.FREQUENCIES else None
    if frequency is None:
        return amount, None, 1
    text = (data.times or "").strip()
    if not text or not MIN_TIMES <= int(text) <= MAX_TIMES:
        raise ValidationError(f"Repeat from {MIN_TIMES} to {MAX_TIMES} times.", field="times")
    return amount, frequency, int(text)


def start(access: PortalAccess, data: PrepaymentInput, portal_url: str, app_base_url: str) -> str:
    """Validate, record the pre-payment (and plan), open its Checkout; the URL to send the client to."""
    business = _open(access)
    amount, frequency, times = _terms(business, data, reader_locale(access))
    prepay_id, plan_id = new_id(), new_id() if frequency else None
    ids = {"business_id": access.business_id, "client_id": access.client_id, "prepay_id": prepay_id,
           "purpose": "prepayment", **({"plan_id": plan_id} if plan_id else {})}
    intent_data: dict[str, Any] = {"metadata": ids, "description": f"Pre-payment — {business.name}"}
    params: dict[str, Any] = {
        "mode": "payment", "client_reference_id": access.client_id, "metadata": ids,
        "line_items": [{"quantity": 1, "price_data": {
            "currency": business.currency.lower(), "unit_amount": pay_rules.to_stripe_units(amount, business.currency),
            "product_data": {"name": "Pre-payment", "description": business.name}}}],
        "payment_intent_data": intent_data,
        "success_url": f"{portal_url}?tab={TAB}&prepayment=success", "cancel_url": f"{portal_url}?tab={TAB}",
    }
    if frequency:  # later charges use the card this payment saves
        intent_data["setup_future_usage"] = "off_session"
        params["customer"] = customers.customer_for(access.business_id, access.client_id)
    elif email := billing_email(access.business_id, access.client_id, None):
        params["customer_email"] = email
    if stripe_gateway.configured():
        session = stripe_gateway.create_checkout_session(params, f"prepay-{prepay_id}")
        session_id, url, offline = session.id, session.url, False
    elif cards_gateway.offline():
        session_id = f"{OFFLINE_PREFIX}{access.business_id}_{access.client_id}_{prepay_id}"
        url, offline = f"{checkout.offline_checkout_base(app_base_url)}/checkout/offline-cards/{session_id}", True
    else:
        raise Unavailable("Online payment is not configured.")
    _record(access, prepay_id, plan_id, amount, business.currency, frequency, times, session_id, url, offline,
            f"{portal_url}?tab={TAB}")
    return url


def _record(access: PortalAccess, prepay_id: str, plan_id: str | None, amount: int, currency: str,
            frequency: str | None, times: int, session_id: str, url: str, offline: bool, return_url: str) -> None:
    now = iso(clock.now())
    with transaction() as tx:
        tx.save(store.new_prepayment(access.business_id, access.client_id, prepay_id, amount=amount, currency=currency,
                                     session_id=session_id, url=url, offline=offline, plan_id=plan_id, created_at=now,
                                     updated_at=now, return_url=return_url),
                condition=store.Prepayment.pk.does_not_exist())
        if plan_id and frequency:
            tx.save(store.new_plan(access.business_id, access.client_id, plan_id, amount=amount, currency=currency,
                                   frequency=frequency, times=times, charged=1, created_at=now, updated_at=now),
                    condition=store.PrepaymentPlan.pk.does_not_exist())


# --- landing as credit (the payments worker) ---------------------------------------------


def _ours(obj: dict[str, Any]) -> store.Prepayment | None:
    metadata = obj.get("metadata") or {}
    business_id, client_id, prepay_id = (metadata.get(k) for k in ("business_id", "client_id", "prepay_id"))
    if not all(isinstance(v, str) and v for v in (business_id, client_id, prepay_id)):
        return None
    return store.get_prepayment(str(business_id), str(client_id), str(prepay_id))


def checkout_paid(session: dict[str, Any]) -> str:
    """`checkout.session.completed` of a pre-payment Paydrop started: the money becomes credit."""
    prepayment = _ours(session)
    if prepayment is None or prepayment.session_id != session.get("id"):
        return "rejected_unknown_session"
    if session.get("payment_status") != "paid":
        return "awaiting_async_payment"
    currency = str(session.get("currency") or prepayment.currency).upper()
    payment_intent = str(session.get("payment_intent") or session["id"])
    outcome = land(prepayment, payment_intent, pay_rules.from_stripe_units(int(session.get("amount_total") or 0),
                                                                           currency), currency)
    if outcome == "credit_recorded" and prepayment.plan_id:
        _start_plan(prepayment, payment_intent)
    return outcome


def intent_paid(intent: dict[str, Any]) -> str:
    """`payment_intent.succeeded` of a repeat charge (the first payment lands by its checkout)."""
    prepayment = _ours(intent)
    if prepayment is None or prepayment.session_id is not None:
        return "ignored_checkout_intent" if prepayment is not None else "rejected_unknown_intent"
    currency = str(intent.get("currency") or prepayment.currency).upper()
    received = int(intent.get("amount_received") or intent.get("amount") or 0)
    return land(prepayment, str(intent["id"]), pay_rules.from_stripe_units(received, currency), currency)


def land(prepayment: store.Prepayment, payment_intent: str, amount: int, currency: str) -> str:
    """Credit the client once: the pre-payment moves pending → received in the same transaction."""
    if prepayment.status == "received":
        return "already_recorded"
    now, today = iso(clock.now()), clock.today()
    business_id, client_id = prepayment.business_id, prepayment.client_id
    note = credit_store.new_credit_note(
        business_id, client_id, new_id(), now, number=f"PP-{next_number(business_id, 'prepayment'):04d}",
        amount=amount, currency=currency, reason="Pre-payment by card", issued_on=today.isoformat())
    try:
        with transaction() as tx:
            tx.update(prepayment, actions=[
                store.Prepayment.status.set("received"), store.Prepayment.payment_intent.set(payment_intent),
                store.Prepayment.credit_id.set(note.credit_id), store.Prepayment.updated_at.set(now)],
                condition=store.Prepayment.status.is_in("pending", "failed"))
            tx.save(note, condition=credit_store.CreditNote.pk.does_not_exist())
            add_to_balance(tx, business_id, client_id, currency, amount)
            tx.save(store.prepayment_intent(payment_intent, business_id, client_id, prepayment.prepay_id))
    except Conflict:
        return "already_recorded"
    return "credit_recorded"


def refunded(charge: dict[str, Any]) -> str:
    """`charge.refunded` of a pre-payment's charge: Stripe's cumulative refunded total is taken back
    from the client's credit, the growth only, once (conditional on the total recorded before), as
    a negative `PP-` credit note so notes − applications = balance still holds. The balance may go
    below zero when the credit was already spent: the client then owes it, and no credit applies."""
    prepayment = _ours(charge)
    payment_intent = str(charge.get("payment_intent") or charge.get("id"))
    if prepayment is None or prepayment.status != "received" or prepayment.payment_intent != payment_intent:
        return "ignored_unknown_prepayment"
    currency = str(charge.get("currency") or prepayment.currency).upper()
    total = min(pay_rules.from_stripe_units(int(charge.get("amount_refunded") or 0), currency), int(prepayment.amount))
    before = int(prepayment.refunded or 0)
    if total <= before:
        return "refund_already_recorded"
    same = store.Prepayment.refunded == before if before else store.Prepayment.refunded.does_not_exist()
    try:
        _take_back(prepayment, total - before, currency, "Pre-payment refunded", [store.Prepayment.refunded.set(total)],
                   same & (store.Prepayment.status == "received"))
    except Conflict:  # another delivery recorded a total meanwhile: read again (SQS retries the event)
        raise Unavailable("A refund of this pre-payment was recorded at the same time; try again.") from None
    return "refund_recorded"


def _take_back(prepayment: store.Prepayment, delta: int, currency: str, reason: str,
               actions: list[Action], condition: Any) -> None:
    """In one transaction: `delta` less credit (more when negative), a `PP-` note saying why, and
    the pre-payment's own record of it (`actions`, under `condition`). Raises Conflict."""
    now, business_id, client_id = iso(clock.now()), prepayment.business_id, prepayment.client_id
    note = credit_store.new_credit_note(
        business_id, client_id, new_id(), now, number=f"PP-{next_number(business_id, 'prepayment'):04d}",
        amount=-delta, currency=currency, reason=reason, issued_on=clock.today().isoformat())
    with transaction() as tx:
        tx.update(prepayment, actions=[*actions, store.Prepayment.updated_at.set(now)], condition=condition)
        if delta:
            tx.save(note, condition=credit_store.CreditNote.pk.does_not_exist())
            add_to_balance(tx, business_id, client_id, currency, -delta)


def disputed(dispute: dict[str, Any], closing: bool) -> str | None:
    """A dispute of a pre-payment's charge (None: not a pre-payment's). Stripe withdraws the
    disputed amount when a dispute opens (an inquiry, `warning_*`, takes nothing) and returns it
    when the dispute is won; the credit follows, each step once: an open dispute only from none, a
    close from none or open (a close may arrive first; a late "open" then changes nothing)."""
    prepayment = store.prepayment_of_intent(str(dispute.get("payment_intent") or ""))
    if prepayment is None:
        return None
    status = str(dispute.get("status") or "")
    if not closing and status.startswith("warning_"):
        return "dispute_inquiry"
    state = ("lost" if status == "lost" else "won") if closing else "open"
    currency = str(dispute.get("currency") or prepayment.currency).upper()
    amount = min(pay_rules.from_stripe_units(int(dispute.get("amount") or 0), currency), int(prepayment.amount))
    withheld, target = int(prepayment.disputed or 0), 0 if state == "won" else amount
    P = store.Prepayment
    before = P.dispute_state.does_not_exist() if state == "open" else (
        P.dispute_state.does_not_exist() | (P.dispute_state == "open"))
    same = (P.disputed == withheld) if withheld else P.disputed.does_not_exist() | (P.disputed == 0)
    try:
        _take_back(prepayment, target - withheld, currency, f"Pre-payment dispute {state}",
                   [P.disputed.set(target), P.dispute_state.set(state)], before & same)
    except Conflict:
        again = store.get_prepayment(prepayment.business_id, prepayment.client_id, prepayment.prepay_id)
        if state == "open" or again is None or again.dispute_state in ("won", "lost"):
            return "dispute_already_recorded"
        raise Unavailable("This pre-payment's dispute changed at the same time; try again.") from None
    return f"dispute_{state}"


def _start_plan(prepayment: store.Prepayment, payment_intent: str) -> None:
    plan = store.get_plan(prepayment.business_id, prepayment.client_id, str(prepayment.plan_id))
    if plan is None or plan.status != "waiting":
        return
    first = clock.today()
    next_on = rules.charge_date(first, 1, plan.frequency).isoformat()
    actions: list[Action] = [store.PrepaymentPlan.status.set("active"), store.PrepaymentPlan.first_on.set(first.isoformat()),
               store.PrepaymentPlan.next_on.set(next_on), store.PrepaymentPlan.gsi3pk.set(store.plan_due_pk(next_on)),
               store.PrepaymentPlan.gsi3sk.set(plan.plan_id), store.PrepaymentPlan.updated_at.set(iso(clock.now()))]
    if not cards_gateway.offline():
        with contextlib.suppress(Unavailable, NotFound):  # without it, the customer's default card is used
            card = cards_gateway.intent_payment_method(payment_intent)
            if card:
                actions.append(store.PrepaymentPlan.payment_method.set(card))
    with contextlib.suppress(Conflict):
        conditional(lambda: plan.update(actions=actions, condition=store.PrepaymentPlan.status == "waiting"),
                    "Already started.")


def due_plans(today: date) -> list[store.PrepaymentPlan]:
    from chalicelib.store import agenda

    keys = [key for day in rules.dates_to_check(today) for key in store.plans_due_on(day.isoformat())]
    return [p for p in agenda.load(keys) if isinstance(p, store.PrepaymentPlan)
            and p.status in ("active", "charging") and p.next_on and p.next_on <= today.isoformat()]
