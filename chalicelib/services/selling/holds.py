"""Units a checkout never gave back: the scheduler's hourly sweep.

Stripe sends `checkout.session.expired` when a session's 30 minutes run out, and that gives the
units back (`sales.checkout_expired`). Holds that outlive it by an hour are released here: a
Buy click whose request died between taking the units and recording its session, an event
that never came, and, locally, an offline checkout whose tab was closed. Releasing is the same
conditional move as the webhook's (`purchase.release`), so the two never both give units back;
a payment that still arrives is recorded as a sale.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.services.selling.purchase import release
from chalicelib.store import buy_links as store
from chalicelib.store.table import iso

GRACE = timedelta(hours=1)


def release_lapsed(now: datetime) -> dict[str, int]:
    """Release open holds that ended more than `GRACE` ago (today's and yesterday's agenda)."""
    before = iso(now - GRACE)
    released = checked = 0
    for day in sorted({(now - GRACE).date(), (now - GRACE - timedelta(days=1)).date()}):
        for reservation in store.holds_ending_on(day.isoformat(), before):
            checked += 1
            released += release(reservation)
    return {"checked": checked, "released": released}
