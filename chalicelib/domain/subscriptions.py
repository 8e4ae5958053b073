"""Subscriptions: Stripe's statuses in Paydrop's terms, the order of subscription states, and
what a status gives the files a subscription sells. Pure: callers pass the facts."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from chalicelib.domain import access

TRIALING, ACTIVE, PAST_DUE, CANCELED, UNPAID = "trialing", "active", "past_due", "canceled", "unpaid"
INCOMPLETE, INCOMPLETE_EXPIRED, PAUSED = "incomplete", "incomplete_expired", "paused"
STATUSES = (INCOMPLETE, TRIALING, ACTIVE, PAST_DUE, PAUSED, UNPAID, INCOMPLETE_EXPIRED, CANCELED)
ENDED = (CANCELED, INCOMPLETE_EXPIRED, UNPAID)
OPEN = (TRIALING, ACTIVE)  # the files are available
# Stripe does not move a subscription back out of these: on a tie of event times they win.
TERMINAL = (CANCELED, INCOMPLETE_EXPIRED)

# Why the subscription rule moved a grant (kept in the grant's history and the access log).
SUBSCRIPTION_ACTIVE = "subscription_active"
SUBSCRIPTION_ENDED = "subscription_ended"
SUBSCRIPTION_PAST_DUE = "subscription_past_due"
SUBSCRIPTION_PAUSED = "subscription_paused"


def state_key(created: int, status: str, content: dict[str, Any]) -> str:
    """A sortable key of one subscription state: the event's time first; on a tie (Stripe stamps
    events in whole seconds) an ended subscription beats a live one, then a digest of the content
    decides. The stored state is the greatest key seen, so any delivery order ends in one state."""
    rank = 9 if status in TERMINAL else STATUSES.index(status) if status in STATUSES else 0
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return f"{int(created):012d}#{rank}#{digest}"


def grant_state(status: str, revoke_when_past_due: bool, state: str) -> str:
    """The state the subscription rule gives an `after_payment` grant it controls: available while
    active or trialing (and past due, unless the business revokes then); locked while the first
    payment is awaited (or never came); revoked otherwise. A function of the status alone (not of
    the grant's past), so states applied in any order end alike. An expired grant stays expired."""
    if state == access.EXPIRED:
        return state
    if status in OPEN or (status == PAST_DUE and not revoke_when_past_due):
        return access.AVAILABLE
    return access.LOCKED if status in (INCOMPLETE, INCOMPLETE_EXPIRED) else access.REVOKED


def grant_reason(status: str) -> str:
    if status in OPEN:
        return SUBSCRIPTION_ACTIVE
    if status == PAST_DUE:
        return SUBSCRIPTION_PAST_DUE
    return SUBSCRIPTION_PAUSED if status == PAUSED else SUBSCRIPTION_ENDED


def can_cancel(status: str, cancel_at_period_end: bool) -> bool:
    return status in (TRIALING, ACTIVE, PAST_DUE) and not cancel_at_period_end


def can_resume(status: str, cancel_at_period_end: bool) -> bool:
    return status in (TRIALING, ACTIVE, PAST_DUE) and cancel_at_period_end


def can_change_plan(status: str) -> bool:
    return status in (TRIALING, ACTIVE)


LABELS = {TRIALING: "trial", ACTIVE: "active", PAST_DUE: "payment overdue", CANCELED: "cancelled",
          UNPAID: "unpaid", INCOMPLETE: "awaiting first payment", INCOMPLETE_EXPIRED: "not started",
          PAUSED: "paused"}
