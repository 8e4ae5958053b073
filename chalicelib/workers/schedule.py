"""The scheduler: every hour (EventBridge), the work that is due by the clock rather than by a request.

- payment reminders by each business's settings (`services/billing/reminders.py`);
- access expiry recorded on grants whose period ended (`services/delivery/expiry.py`);
- recurring invoices: each period's invoice issued once (`services/recurring/scheduler.py`);
- auto-charge invoices due (recurring ones issued just before included), and repeating
  pre-payments due, charged to saved cards (`services/payments/autocharge.py`, `prepayment_plans.py`);
- notification digests whose window ended but whose delayed queue message never came
  (`services/notifications/digests.send_due`; normally the mail queue's delayed message sends them).
- buy links: units held by checkouts that never gave them back (`services/selling/holds.py`).

`overdue` needs no job: it is derived from the due date wherever an invoice is shown
(`domain/invoices.display_status`), so it is right the moment the date passes, between runs
too; the after-due reminder is the scheduled action that comes with it.

Every job is idempotent (conditional writes), so EventBridge's retries, a manual `make tick`
and two runs at once do each thing once. A job that fails does not stop the others; the
first error is raised after all ran, so the invocation is retried and counted in Errors.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib import clock

log = logging.getLogger("paydrop.workers")

# A job returns (its summary, the problems to raise after the run: things left for the next run).
Job = Callable[[datetime], tuple[Any, list[str]]]


def _reminders(now: datetime) -> tuple[Any, list[str]]:
    from chalicelib.services.billing import reminders

    run = reminders.send_due_reminders(now.date())
    problems = []
    if run.counts.get("failed"):  # released, so the next run sends them; an error makes it seen (alarms)
        problems.append(f"{run.counts['failed']} reminder(s) could not be queued; the next run retries")
    if run.counts.get("partial"):  # kept claimed (never twice to anyone): seen, not retried
        problems.append(f"{run.counts['partial']} reminder(s) reached only some contacts")
    return {"checked": run.checked, **run.counts, "opted_out": run.opted_out}, problems


def _expiry(now: datetime) -> tuple[Any, list[str]]:
    from chalicelib.services.delivery import expiry

    return expiry.expire_grants(now), []


def _recurring(now: datetime) -> tuple[Any, list[str]]:
    from chalicelib.services.recurring import scheduler as recurring

    made = recurring.issue_due(now)
    summary = {"checked": made.checked, "issued": made.issued, "skipped": made.skipped, "busy": made.busy,
               "failed": len(made.failed)}
    # the next run goes on from where each stopped; an error makes it seen
    return summary, [f"{len(made.failed)} recurring invoice(s) failed; the next run retries"] if made.failed else []


def _card_charges(now: datetime) -> tuple[Any, list[str]]:
    from chalicelib.services.payments import autocharge, prepayment_plans

    return {"auto_charge": autocharge.charge_due(now.date()).counts,
            "prepayment_plans": prepayment_plans.charge_due_plans(now.date()).counts}, []


def _digests(now: datetime) -> tuple[Any, list[str]]:
    from chalicelib.services.notifications import digests

    sent = digests.send_due(now)  # released on failure: the next run (or the queue's retry) sends them
    return sent, [f"{sent['failed']} digest(s) could not be sent"] if sent["failed"] else []


def _buy_link_holds(now: datetime) -> tuple[Any, list[str]]:
    from chalicelib.services.selling import holds

    return holds.release_lapsed(now), []


# In this order: an invoice a recurring template issues is charged in the same run when it is due.
JOBS: dict[str, Job] = {"reminders": _reminders, "expired_grants": _expiry, "recurring": _recurring,
                        "card_charges": _card_charges, "digests": _digests}
JOBS["buy_link_holds"] = _buy_link_holds  # issue 16: units of checkouts that never ended


def on_tick(event: Any = None) -> dict[str, Any]:
    """Run every scheduled job once for "now" (`chalicelib.clock`); returns what each did."""
    now = clock.now()
    summary: dict[str, Any] = {"at": now.isoformat()}
    failures: list[Exception] = []
    for name, job in JOBS.items():
        try:
            summary[name], problems = job(now)
            failures.extend(RuntimeError(p) for p in problems)
        except Exception as e:  # the other jobs still run; raised below
            log.exception("scheduled job %s failed", name)
            failures.append(e)
    log.info("scheduler run: %s", summary)
    if failures:
        raise failures[0]
    return summary
