"""The scheduler's part: every active template whose next period has come (in its business's time
zone) issues it — one invoice per missed period when it catches up, or the latest alone when it
skips — through `issue.py`, which makes each period happen once.

Found on the agenda (gsi3 `RECURRING`, up to now: a late run finds everything it missed), each
template re-read before acting. Periods are issued in order and a template stops at the first it
cannot finish, so its invoices are numbered in the order of their periods.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib import clock
from chalicelib.domain import recurrence as rules
from chalicelib.domain.errors import Conflict
from chalicelib.services.recurring import issue
from chalicelib.services.recurring.timing import local_today, refresh_agenda, schedule_of
from chalicelib.store import recurring as store
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.table import conditional, iso

log = logging.getLogger("paydrop.recurring")


@dataclass
class RecurringRun:
    """What one run did: invoices `issued`, periods `skipped`, periods `busy` (another run holds
    them), templates `failed` (raised; retried by the next run)."""

    checked: int = 0
    issued: int = 0
    skipped: int = 0
    busy: int = 0
    failed: list[str] = field(default_factory=list)


def issue_due(now: datetime | None = None) -> RecurringRun:
    """Issue every recurring period due by `now`; each template apart, so one failing does not stop the rest."""
    now = now or clock.now()
    run = RecurringRun()
    businesses: dict[str, Business | None] = {}
    for business_id, template_id in store.due_templates(iso(now)):
        run.checked += 1
        if business_id not in businesses:
            businesses[business_id] = get_business(business_id)
        try:
            _run_template(businesses[business_id], business_id, template_id, now, run)
        except Exception:  # the others still run; the scheduler raises after
            log.exception("recurring %s failed; the next run goes on from where it stopped", template_id)
            run.failed.append(template_id)
    return run


def _run_template(business: Business | None, business_id: str, template_id: str, now: datetime,
                  run: RecurringRun) -> None:
    template = store.get_template(business_id, template_id)
    if template is None or business is None or template.status != rules.ACTIVE:
        return
    plan = rules.due(schedule_of(template), int(template.next_index), local_today(business, now),
                     str(template.catch_up))
    if plan.skipped:
        run.skipped += len(plan.skipped)
        log.info("recurring %s: periods %s skipped (late, policy skip)", template_id, plan.skipped)
    for index in plan.issue:
        template = store.get_template(business_id, template_id)  # paused or stopped meanwhile?
        if template is None or template.status != rules.ACTIVE:
            return
        period = issue.claim(template, index, now)
        if period is None:
            if not issue.is_done(template, index):
                run.busy += 1
                return  # another run is on it: the later periods wait, so numbers stay in order
        else:
            issue.complete(business, template, period, now)
            run.issued += 1
        _advance(business, business_id, template_id, index + 1)
    if not plan.issue:
        _advance(business, business_id, template_id, int(template.next_index))  # the agenda was ahead of the clock


def _advance(business: Business, business_id: str, template_id: str, next_index: int) -> None:
    """Move the template past `next_index - 1` and onto the agenda for the period after, re-read
    and retried when staff saved it at the same moment (their change is kept)."""
    for _ in range(5):
        template = store.get_template(business_id, template_id)
        if template is None:
            return
        before = (int(template.next_index), template.due_at, template.status)
        template.next_index = max(int(template.next_index), next_index)
        if template.status in (rules.ACTIVE, rules.PAUSED):
            refresh_agenda(template, business)
        if (int(template.next_index), template.due_at, template.status) == before:
            return
        template.updated_at = iso(clock.now())
        try:
            conditional(template.save, "Changed at the same time.")  # on the version read
            return
        except Conflict:
            continue
    raise Conflict("The recurring invoice kept changing; the next run moves it on.")
