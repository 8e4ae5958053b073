"""The scheduler: every hour (EventBridge), the work that is due by the clock rather than by a request.

- payment reminders by each business's settings (`services/billing/reminders.py`);
- access expiry recorded on grants whose period ended (`services/delivery/expiry.py`);
- auto-charge invoices due, and repeating pre-payments due, charged to saved cards
  (`services/payments/autocharge.py`, `prepayment_plans.py`).
- recurring invoices: each period's invoice issued once (`services/recurring/scheduler.py`).

`overdue` needs no job: it is derived from the due date wherever an invoice is shown
(`domain/invoices.display_status`), so it is right the moment the date passes, between runs
too; the after-due reminder is the scheduled action that comes with it.

Every part is idempotent (conditional writes), so EventBridge's retries, a manual `make tick`
and two runs at once do each thing once. A part that fails does not stop the other; the
error is raised after both ran, so the invocation is retried.
"""
from __future__ import annotations

import logging
from typing import Any

from chalicelib import clock
from chalicelib.services.billing import reminders
from chalicelib.services.delivery import expiry
from chalicelib.services.payments import autocharge, prepayment_plans
from chalicelib.services.recurring import scheduler as recurring

log = logging.getLogger("paydrop.workers")


def on_tick(event: Any = None) -> dict[str, Any]:
    """Run every scheduled job once for "now" (`chalicelib.clock`); returns what each did."""
    now = clock.now()
    summary: dict[str, Any] = {"at": now.isoformat()}
    failures: list[Exception] = []
    try:
        run = reminders.send_due_reminders(now.date())
        summary["reminders"] = {"checked": run.checked, **run.counts, "opted_out": run.opted_out}
        if run.counts.get("failed"):  # released, so the next run sends them; an error makes it seen (alarms)
            failures.append(RuntimeError(f"{run.counts['failed']} reminder(s) could not be queued; the next run retries"))
        if run.counts.get("partial"):  # kept claimed (never twice to anyone): seen, not retried
            failures.append(RuntimeError(f"{run.counts['partial']} reminder(s) reached only some contacts"))
    except Exception as e:  # the other job still runs; raised below
        log.exception("reminders failed")
        failures.append(e)
    try:
        summary["expired_grants"] = expiry.expire_grants(now)
    except Exception as e:
        log.exception("access expiry failed")
        failures.append(e)
    try:  # saved cards: auto-charge invoices due, repeating pre-payments due (services/payments)
        summary["auto_charge"] = autocharge.charge_due(now.date()).counts
        summary["prepayment_plans"] = prepayment_plans.charge_due_plans(now.date()).counts
    except Exception as e:
        log.exception("card charges failed")
        failures.append(e)
    try:
        made = recurring.issue_due(now)
        summary["recurring"] = {"checked": made.checked, "issued": made.issued, "skipped": made.skipped,
                                "busy": made.busy, "failed": len(made.failed)}
        if made.failed:  # the next run goes on from where each stopped; an error makes it seen
            failures.append(RuntimeError(f"{len(made.failed)} recurring invoice(s) failed; the next run retries"))
    except Exception as e:
        log.exception("recurring invoices failed")
        failures.append(e)
    log.info("scheduler run: %s", summary)
    if failures:
        raise failures[0]
    return summary
