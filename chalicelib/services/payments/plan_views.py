"""Repeating pre-payments as the portal's Pre-payment tab and the staff API show them."""
from __future__ import annotations

from typing import Any

from chalicelib.domain.money import format_amount
from chalicelib.store import cards as store

SHOWN = ("active", "charging", "paused", "finished", "stopped")  # not `waiting`: its first payment is not made


def shown_status(plan: store.PrepaymentPlan) -> str:
    """What the client and staff read: `charging` is a moment of `active` (or the last charge, sent)."""
    if plan.status != "charging":
        return str(plan.status)
    return "finished" if int(plan.charged) >= int(plan.times) else "active"


def plan_view(plan: store.PrepaymentPlan, made: int) -> dict[str, Any]:
    """One plan as the portal tab and the staff API show it; `made`: its charges that became credit."""
    status = shown_status(plan)
    amount = int(plan.amount)
    return {"id": plan.plan_id, "amount": {"amount": amount, "currency": plan.currency,
                                           "display": format_amount(amount, plan.currency)},
            "frequency": plan.frequency, "times": int(plan.times), "charges_made": made,
            # a stopped plan has nothing left to charge, whatever it was set up for
            "remaining": max(int(plan.times) - int(plan.charged), 0) if status in ("active", "paused") else 0,
            "status": status,
            "next_on": plan.next_on if status == "active" else None,
            "reason": plan.failure_reason if status == "paused" else None,
            "stopped_by": plan.stopped_by, "created_at": plan.created_at, "updated_at": plan.updated_at}


def plans_of(items: list[Any]) -> list[dict[str, Any]]:
    """The plans among a client's `CARDS#` items, newest first, each with its charges made."""
    made: dict[str, int] = {}
    for item in items:
        if isinstance(item, store.Prepayment) and item.plan_id and item.status == "received":
            made[item.plan_id] = made.get(item.plan_id, 0) + 1
    plans = [i for i in items if isinstance(i, store.PrepaymentPlan) and i.status in SHOWN]
    return [plan_view(p, made.get(p.plan_id, 0)) for p in sorted(plans, key=lambda p: p.created_at, reverse=True)]
