"""Stopping and resuming repeating pre-payments (`prepayment_plans.py` charges them).

Stop (the client from the portal tab, or staff): final, one conditional write from `active` or
`paused`. A plan `charging` (the scheduler claimed a charge and is calling Stripe) cannot be
stopped until Stripe answers — a minute at most — so a stop and a charge have one order: the
charge was sent before "stopped" was stored, or it is never sent (the claim requires `active`).
Staff stopping it emails the client's contacts.

Resume (the client, from the tab): a `paused` plan becomes `active` again when what paused it is
gone (pre-payments on, online payment, a saved card); its next charge is the first of its dates
after today: periods passed while paused are skipped (`skipped`), never caught up.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain import autocharge as rules
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts.clients import get_client
from chalicelib.services.payments import plan_emails, prepayment_plans
from chalicelib.services.payments.plan_views import SHOWN, plans_of, shown_status
from chalicelib.services.portal.portal import PortalAccess, business_for
from chalicelib.store import cards as store
from chalicelib.store.table import conditional, iso

PLAN_NOT_FOUND = "There is no such repeating pre-payment."
def _plan(business_id: str, client_id: str, plan_id: str) -> store.PrepaymentPlan:
    plan = store.get_plan(business_id, client_id, plan_id)
    if plan is None or plan.status not in SHOWN:
        raise NotFound(PLAN_NOT_FOUND, field="plan_id")
    return plan


def stop(plan: store.PrepaymentPlan, by: str) -> store.PrepaymentPlan:
    """Stop the plan for good (again: no change). Conflict while a charge is with Stripe, or once finished."""
    P = store.PrepaymentPlan
    actions: list[Action] = [P.status.set("stopped"), P.claimed_at.remove(), P.stopped_by.set(by), P.next_on.remove(),
                             P.gsi3pk.remove(), P.gsi3sk.remove(), P.updated_at.set(iso(clock.now()))]
    try:
        # `charging` by a run that died long ago (no answer will come): stoppable, its date was skipped
        stale = (P.status == "charging") & (P.claimed_at < iso(clock.now() - rules.STALE_CLAIM))
        conditional(lambda: plan.update(actions=actions, condition=P.status.is_in("active", "paused") | stale),
                    "Moved on.")
    except Conflict:
        again = store.get_plan(plan.business_id, plan.client_id, plan.plan_id)
        if again is not None and again.status == "stopped":
            return again
        if again is not None and shown_status(again) == "active":
            raise Conflict("A payment of this repeating pre-payment is being made right now; "
                           "try again in a minute.") from None
        raise Conflict("This repeating pre-payment has already made all its payments.") from None
    return plan


def client_stop(access: PortalAccess, plan_id: str) -> None:
    business_for(access)
    stop(_plan(access.business_id, access.client_id, plan_id), "client")


def staff_plans(principal: Principal, client_id: str) -> list[dict[str, Any]]:
    get_client(principal, client_id)  # another business's client: 404
    return plans_of(store.client_collection(principal.business_id, client_id))


def staff_stop(principal: Principal, client_id: str, plan_id: str) -> dict[str, Any]:
    get_client(principal, client_id)
    before = _plan(principal.business_id, client_id, plan_id)
    was = before.status
    plan = stop(before, "staff")
    if was != "stopped":
        plan_emails.tell(plan, "stopped", None)
    items = store.client_collection(principal.business_id, client_id)
    return next(p for p in plans_of(items) if p["id"] == plan_id)


def resume(access: PortalAccess, plan_id: str) -> None:
    """The client resumes a paused plan: Conflict (in plain words) while what paused it remains."""
    business = business_for(access)
    plan = _plan(access.business_id, access.client_id, plan_id)
    if plan.status != "paused":
        raise Conflict("Only a paused repeating pre-payment can be resumed.", field="plan_id")
    reason, _, _ = prepayment_plans.blocked(business, plan)
    if reason is not None:
        raise Conflict(reason, field="plan_id")
    today = clock.today()
    number = int(plan.charged)
    skipped = _skip_to(plan, number, today)
    next_on = rules.charge_date(date.fromisoformat(str(plan.first_on)), number + skipped, plan.frequency).isoformat()
    P = store.PrepaymentPlan
    actions: list[Action] = [P.status.set("active"), P.skipped.set(skipped), P.failure_reason.remove(),
                             P.next_on.set(next_on), P.gsi3pk.set(store.plan_due_pk(next_on)),
                             P.gsi3sk.set(plan.plan_id), P.updated_at.set(iso(clock.now()))]
    conditional(lambda: plan.update(actions=actions, condition=(P.status == "paused") & (P.charged == number)),
                "This repeating pre-payment changed meanwhile; reload the page.")


def _skip_to(plan: store.PrepaymentPlan, number: int, today: date) -> int:
    """How many periods charge `number` moves on so it falls after `today` (no catch-up)."""
    skipped, first = int(plan.skipped or 0), date.fromisoformat(str(plan.first_on))
    while rules.charge_date(first, number + skipped, plan.frequency) <= today:
        skipped += 1
    return skipped
