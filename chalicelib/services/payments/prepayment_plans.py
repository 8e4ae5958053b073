"""Repeating pre-payments: the scheduler charges each plan's next date with the saved card.

Each charge is claimed first (a conditional write moving `charged` from n to n+1 and the plan
to its next date) and only then sent to Stripe with the idempotency key `prepay-{plan}-{n+1}`:
two runs at once, or a retried run, charge a date once. A run that dies between the claim and
Stripe skips that date rather than risk charging it twice (its plan stays `charging` until a later
run takes it over, `STALE_CLAIM` on). A refused card pauses the plan, says why on the portal tab
and emails the client's contacts; so does a plan that cannot be charged at all (pre-payments or
online payment turned off, no saved card), before anything is claimed. Stopping and resuming:
`plan_controls.py`.
"""
from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain import autocharge as rules
from chalicelib.domain import formatting
from chalicelib.domain import payments as pay_rules
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.services.notifications.notifications import send_to_client
from chalicelib.services.payments import cards_gateway, customers, plan_emails, prepayments
from chalicelib.store import cards as store
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.clients import get_client
from chalicelib.store.table import conditional, iso

log = logging.getLogger("paydrop.payments")


@dataclass
class PlanRun:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1


def charge_due_plans(today: date) -> PlanRun:
    run = PlanRun()
    for plan in prepayments.due_plans(today):
        try:
            run.add(charge_plan(plan))
        except Exception:  # one plan's trouble never stops the others
            log.exception("pre-payment plan %s failed", plan.plan_id)
            run.add("error")
    return run


def _claimable(plan: store.PrepaymentPlan) -> Any:
    """The plan may be charged (or paused by a run): active, or `charging` by a run that died
    (claimed longer ago than a charge takes), and no other run moved it meanwhile."""
    P = store.PrepaymentPlan
    stale = iso(clock.now() - rules.STALE_CLAIM)
    return (P.charged == int(plan.charged)) & ((P.status == "active") | ((P.status == "charging") & (P.claimed_at < stale)))


def date_of(plan: store.PrepaymentPlan, number: int) -> date:
    """The date of charge `number` (0 = the checkout), after the periods skipped while paused."""
    return rules.charge_date(date.fromisoformat(str(plan.first_on)), number + int(plan.skipped or 0), plan.frequency)


def _claim(plan: store.PrepaymentPlan) -> int | None:
    """Take the next charge number (the plan is `charging` until Stripe answers: a stop waits for
    it, so no charge is ever sent after "stopped" is stored); None if another run or a stop came first."""
    P = store.PrepaymentPlan
    done = int(plan.charged)
    stamp = iso(clock.now())
    actions: list[Action] = [P.charged.set(done + 1), P.status.set("charging"), P.claimed_at.set(stamp),
                             P.updated_at.set(stamp)]
    if done + 1 >= int(plan.times):
        actions += [P.next_on.remove(), P.gsi3pk.remove(), P.gsi3sk.remove()]
    else:
        next_on = date_of(plan, done + 1).isoformat()
        actions += [P.next_on.set(next_on), P.gsi3pk.set(store.plan_due_pk(next_on))]
    try:
        conditional(lambda: plan.update(actions=actions, condition=_claimable(plan)), "Taken.")
    except Conflict:
        return None
    return done + 1


def _settle(plan: store.PrepaymentPlan, number: int, status: str, reason: str | None = None) -> None:
    """Stripe answered charge `number`: the plan leaves `charging` (active, finished or paused)."""
    P = store.PrepaymentPlan
    actions: list[Action] = [P.status.set(status), P.claimed_at.remove(), P.updated_at.set(iso(clock.now()))]
    if status == "paused":
        actions += [P.failure_reason.set(reason or "The charge failed."), P.gsi3pk.remove(), P.gsi3sk.remove()]
    with contextlib.suppress(Conflict):  # a stop after a dead run's claim went stale: the stop stands
        conditional(lambda: plan.update(actions=actions, condition=(P.status == "charging") & (P.charged == number)),
                    "Moved on.")


def blocked(business: Business | None, plan: store.PrepaymentPlan) -> tuple[str | None, str | None, str | None]:
    """Why the plan cannot be charged now (None: it can), the Stripe customer and the card to charge:
    the plan's own card while the client keeps it, else their default."""
    if business is None or not business.prepayment_enabled:
        return f"{business.name if business else 'The business'} no longer takes pre-payments.", None, None
    if not prepayments.enabled(business):
        return f"{business.name} no longer takes card payments online.", None, None
    customer_id = customers.existing_customer(plan.business_id, plan.client_id)
    cards, default = cards_gateway.cards_of(customer_id) if customer_id else ([], None)
    payment_method = plan.payment_method if any(c.id == plan.payment_method for c in cards) else default
    if customer_id is None or payment_method is None:
        return "You have no saved card: add one in the Payment methods tab.", None, None
    return None, customer_id, payment_method


def _pause(plan: store.PrepaymentPlan, reason: str) -> str:
    """Nothing can be charged (pre-payments off, no card): paused before any claim, the client told."""
    P = store.PrepaymentPlan
    actions: list[Action] = [P.status.set("paused"), P.failure_reason.set(reason), P.claimed_at.remove(),
                             P.gsi3pk.remove(), P.gsi3sk.remove(), P.updated_at.set(iso(clock.now()))]
    try:
        conditional(lambda: plan.update(actions=actions, condition=_claimable(plan)), "Taken.")
    except Conflict:
        return "already"
    plan_emails.tell(plan, "paused", reason)
    return "paused"


def charge_plan(plan: store.PrepaymentPlan) -> str:
    business = get_business(plan.business_id)
    reason, customer_id, payment_method = blocked(business, plan)
    if reason is not None or business is None or customer_id is None or payment_method is None:
        return _pause(plan, reason or "")
    number = _claim(plan)
    if number is None:
        return "already"
    prepay_id = f"{plan.plan_id}-{number}"
    now = iso(clock.now())
    prepayment = store.new_prepayment(plan.business_id, plan.client_id, prepay_id, amount=int(plan.amount),
                                      currency=plan.currency, plan_id=plan.plan_id, created_at=now, updated_at=now)
    prepayment.save()
    last = number >= int(plan.times)
    ids = {"business_id": plan.business_id, "client_id": plan.client_id, "prepay_id": prepay_id,
           "plan_id": plan.plan_id, "purpose": "prepayment"}
    params = {"amount": pay_rules.to_stripe_units(int(plan.amount), plan.currency), "currency": plan.currency.lower(),
              "customer": customer_id, "payment_method": payment_method, "confirm": True, "off_session": True,
              "description": f"Pre-payment — {business.name}", "metadata": ids}
    try:
        cards_gateway.charge_off_session(params, f"prepay-{plan.plan_id}-{number}")
    except cards_gateway.CardFailure as e:
        return _failed(plan, prepayment, number, e.code, e.message, last)
    _settle(plan, number, "finished" if last else "active")
    return "submitted"


def _client_locale(plan: store.PrepaymentPlan) -> str:
    """How the plan's client reads amounts: its own locale, else its business's."""
    return formatting.locale_of(get_business(plan.business_id), get_client(plan.business_id, plan.client_id))


def _failed(plan: store.PrepaymentPlan, prepayment: store.Prepayment, number: int, code: str, message: str | None,
            last: bool) -> str:
    """The charge failed: say why on the pre-payment; pause the plan unless this was its last charge."""
    reason = rules.failure_reason(code, message)
    stamp = iso(clock.now())
    prepayment.update(actions=[store.Prepayment.status.set("failed"), store.Prepayment.failure_reason.set(reason),
                               store.Prepayment.updated_at.set(stamp)])
    _settle(plan, number, "finished" if last else "paused", reason)
    text = (f"We could not charge your saved card for your repeating pre-payment of "
            f"{formatting.money(int(plan.amount), plan.currency, _client_locale(plan))}: {reason}\n\n"
            + ("That was the last one. You can pay in advance again in your portal." if last else
               "The repeats are paused. You can resume them from the Pre-payment tab of your portal."))
    try:
        send_to_client(plan.business_id, plan.client_id, "documents", "Your pre-payment did not go through", text)
    except NotFound:
        log.warning("pre-payment plan %s failed and the client has no contact to tell", plan.plan_id)
    return "failed"
