"""Entitlements: keep grants in step with the invoice they hang on.

`invoice_payment_changed` is the one entry point every payment path calls (manual
"mark paid" and cancellation now, Stripe webhooks later) when an invoice may have become,
or stopped being, paid in full.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chalicelib.domain import access
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict
from chalicelib.store import documents as docs
from chalicelib.store.grants import Change, Grant
from chalicelib.store.table import conditional, iso, utcnow


def move(grant: Grant, state: str, reason: str, now: datetime) -> None:
    """Set a grant's state and remember why; access expiry starts when it becomes available."""
    if grant.state == state:
        return
    grant.state, grant.reason = state, reason
    grant.history = [*(grant.history or []), Change(at=iso(now), state=state, reason=reason)]
    if state == access.AVAILABLE:
        start_access_clock(grant, now)
    grant.updated_at = iso(now)


def start_access_clock(grant: Grant, now: datetime) -> None:
    """Access that lasts N days counts from the first moment the grant is available."""
    if grant.access_days and not grant.access_expires_at:
        expires = access.access_expires_at(now, int(grant.access_days))
        grant.access_expires_at = iso(expires) if expires else None


def grants_of(items: Sequence[object]) -> list[Grant]:
    return [i for i in items if isinstance(i, Grant)]


def invoice_payment_changed(business_id: str, doc_id: str, attempts: int = 3) -> int:
    """Release or revoke the invoice's `after_payment` grants to match its paid state now.

    It re-reads the invoice, so calling it twice, late, or out of order gives the same
    result; a grant changed concurrently (a download, staff) is re-read and retried.
    Returns how many grants changed.
    """
    for attempt in range(attempts):
        try:
            return _sync(business_id, doc_id)
        except Conflict:
            if attempt == attempts - 1:
                raise
    return 0


def _sync(business_id: str, doc_id: str) -> int:
    document, items = docs.load_collection(business_id, doc_id)
    if document is None:
        return 0
    paid = document.status == rules.PAID
    now = utcnow()
    changed = 0
    for grant in grants_of(items):
        state = access.state_after_payment_change(grant.policy, grant.state, paid, bool(grant.keep_after_refund))
        if state != grant.state:
            move(grant, state, access.PAID_IN_FULL if paid else access.NO_LONGER_PAID, now)
            conditional(grant.save, "A grant changed at the same time.")
            changed += 1
    return changed
