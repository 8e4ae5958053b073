"""Repeating pre-payments: the scheduler charges each plan's next date with the saved card.

Each charge is claimed first (a conditional write moving `charged` from n to n+1 and the plan
to its next date) and only then sent to Stripe with the idempotency key `prepay-{plan}-{n+1}`:
two runs at once, or a retried run, charge a date once. A run that dies between the claim and
Stripe skips that date rather than risk charging it twice. A refused card pauses the plan, says
why on the portal tab and emails the client's contacts.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain import autocharge as rules
from chalicelib.domain import formatting
from chalicelib.domain import payments as pay_rules
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.services.notifications.notifications import send_to_client
from chalicelib.services.payments import cards_gateway, customers, prepayments
from chalicelib.store import cards as store
from chalicelib.store.businesses import get_business
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


def _claim(plan: store.PrepaymentPlan) -> int | None:
    """Take the next charge number; None if another run took it first."""
    done = int(plan.charged)
    stamp = iso(clock.now())
    actions: list[Action] = [store.PrepaymentPlan.charged.set(done + 1), store.PrepaymentPlan.updated_at.set(stamp)]
    if done + 1 >= int(plan.times):
        actions += [store.PrepaymentPlan.status.set("finished"), store.PrepaymentPlan.next_on.remove(),
                    store.PrepaymentPlan.gsi3pk.remove(), store.PrepaymentPlan.gsi3sk.remove()]
    else:
        next_on = rules.charge_date(date.fromisoformat(str(plan.first_on)), done + 1, plan.frequency).isoformat()
        actions += [store.PrepaymentPlan.next_on.set(next_on), store.PrepaymentPlan.gsi3pk.set(store.plan_due_pk(next_on))]
    try:
        conditional(lambda: plan.update(actions=actions, condition=(store.PrepaymentPlan.charged == done)
                                        & (store.PrepaymentPlan.status == "active")), "Taken.")
    except Conflict:
        return None
    return done + 1


def charge_plan(plan: store.PrepaymentPlan) -> str:
    number = _claim(plan)
    if number is None:
        return "already"
    business = get_business(plan.business_id)
    customer_id = customers.existing_customer(plan.business_id, plan.client_id)
    _, default = cards_gateway.cards_of(customer_id) if customer_id else ([], None)
    payment_method = plan.payment_method or default
    prepay_id = f"{plan.plan_id}-{number}"
    now = iso(clock.now())
    prepayment = store.new_prepayment(plan.business_id, plan.client_id, prepay_id, amount=int(plan.amount),
                                      currency=plan.currency, plan_id=plan.plan_id, created_at=now, updated_at=now)
    prepayment.save()
    if business is None or customer_id is None or payment_method is None:
        return _failed(plan, prepayment, "no_saved_card", None, number >= int(plan.times))
    ids = {"business_id": plan.business_id, "client_id": plan.client_id, "prepay_id": prepay_id,
           "plan_id": plan.plan_id, "purpose": "prepayment"}
    params = {"amount": pay_rules.to_stripe_units(int(plan.amount), plan.currency), "currency": plan.currency.lower(),
              "customer": customer_id, "payment_method": payment_method, "confirm": True, "off_session": True,
              "description": f"Pre-payment — {business.name}", "metadata": ids}
    try:
        cards_gateway.charge_off_session(params, f"prepay-{plan.plan_id}-{number}")
    except cards_gateway.CardFailure as e:
        return _failed(plan, prepayment, e.code, e.message, number >= int(plan.times))
    return "submitted"


def _client_locale(plan: store.PrepaymentPlan) -> str:
    """How the plan's client reads amounts: its own locale, else its business's."""
    return formatting.locale_of(get_business(plan.business_id), get_client(plan.business_id, plan.client_id))


def _failed(plan: store.PrepaymentPlan, prepayment: store.Prepayment, code: str, message: str | None,
            last: bool) -> str:
    """The charge failed: say why on the pre-payment; pause the plan unless this was its last charge."""
    reason = rules.failure_reason(code, message)
    stamp = iso(clock.now())
    prepayment.update(actions=[store.Prepayment.status.set("failed"), store.Prepayment.failure_reason.set(reason),
                               store.Prepayment.updated_at.set(stamp)])
    if not last:
        plan.update(actions=[store.PrepaymentPlan.status.set("paused"), store.PrepaymentPlan.failure_reason.set(reason),
                             store.PrepaymentPlan.gsi3pk.remove(), store.PrepaymentPlan.gsi3sk.remove(),
                             store.PrepaymentPlan.updated_at.set(stamp)])
    text = (f"We could not charge your saved card for your repeating pre-payment of "
            f"{formatting.money(int(plan.amount), plan.currency, _client_locale(plan))}: {reason}\n\n"
            + ("That was the last one. " if last else "The repeats are paused. ")
            + "You can pay in advance again in your portal.")
    try:
        send_to_client(plan.business_id, plan.client_id, "documents", "Your pre-payment did not go through", text)
    except NotFound:
        log.warning("pre-payment plan %s failed and the client has no contact to tell", plan.plan_id)
    return "failed"
