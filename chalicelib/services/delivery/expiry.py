"""Access expiry on a schedule: grants whose access period ran out are stored as `expired`.

The decision does not wait for this: `domain/access.decide_download` and the client lists
refuse a grant past its `access_expires_at` at the moment they read it. What the scheduler
adds is the record — staff lists say `expired`, the grant's history says when and that the
policy (not a person) decided, and the access log has an `expire` line — so nothing here
duplicates the rule, it stores its outcome.

Found by queries on the agenda (gsi3 `EXPIRES#{day}`: today up to now, and the last
`LOOKBACK_DAYS` days in case runs were missed), re-read consistently, saved conditionally on
the grant's version: a download or a staff action at the same moment wins and the next run
looks again; two runs at once expire a grant once.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from chalicelib import clock
from chalicelib.domain import access
from chalicelib.domain.errors import Conflict
from chalicelib.services.delivery.access_log import log_entry
from chalicelib.services.delivery.file_labels import expires_of
from chalicelib.services.delivery.unlock import move
from chalicelib.store import agenda
from chalicelib.store.businesses import get_business
from chalicelib.store.grants import Grant
from chalicelib.store.table import conditional, iso

log = logging.getLogger("paydrop.expiry")
LOOKBACK_DAYS = 7
ACTOR = "policy"


def expire_grants(now: datetime | None = None) -> int:
    """Mark every available grant whose access period has ended as expired; returns how many."""
    now = now or clock.now()
    today = now.date()
    keys = [key for n in range(LOOKBACK_DAYS, 0, -1) for key in agenda.grants_expiring_on(today - timedelta(days=n))]
    keys += agenda.grants_expiring_on(today, iso(now))
    retention: dict[str, int | None] = {}
    expired = 0
    for grant in agenda.grants(keys):
        if not access.access_period_over(grant.state, expires_of(grant), now):
            continue
        if grant.business_id not in retention:
            business = get_business(grant.business_id)
            retention[grant.business_id] = int(business.log_retention_days) if business else None
        expired += _expire(grant, now, retention[grant.business_id])
    return expired


def _expire(grant: Grant, now: datetime, retention_days: int | None) -> int:
    move(grant, access.EXPIRED, access.ACCESS_PERIOD_ENDED, now, by=access.BY_POLICY)
    try:
        conditional(grant.save, "This grant changed at the same time.")
    except Conflict:
        log.info("grant %s changed while expiring it; the next run looks again", grant.grant_id)
        return 0
    log_entry(grant, now, retention_days, ACTOR, "expire", "ok").save()
    return 1
