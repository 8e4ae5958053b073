"""Payment reminders: which step (before due, on the due date, after) an open invoice is at.

Pure: the scheduler passes the business's settings, the invoice's dates and today.
A business chooses up to three steps: N days before the due date, on the due date, N days
after. A tick sends at most the latest step whose day has come, and only within
`GRACE_DAYS` of that day (a scheduler that was down for a day still sends; one that was
down for weeks does not send a stale "due in 3 days"), never for a day before the invoice
was sent, and never an earlier step once a later one is due (no burst of three emails).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

BEFORE, ON_DUE, AFTER = "before", "due", "after"
STEPS = (BEFORE, ON_DUE, AFTER)
MAX_DAYS = 30  # the furthest before or after the due date a reminder can be set
GRACE_DAYS = 3  # how late a step may still be sent when ticks were missed


@dataclass(frozen=True)
class ReminderSettings:
    days_before: int | None = None  # None: no reminder before the due date
    on_due: bool = False
    days_after: int | None = None  # None: no reminder after the due date

    @property
    def any(self) -> bool:
        return self.days_before is not None or self.on_due or self.days_after is not None


def step_days(settings: ReminderSettings, due: date) -> list[tuple[str, date]]:
    """The business's steps for an invoice due on `due`, in order, each with its day."""
    days = []
    if settings.days_before is not None:
        days.append((BEFORE, due - timedelta(days=settings.days_before)))
    if settings.on_due:
        days.append((ON_DUE, due))
    if settings.days_after is not None:
        days.append((AFTER, due + timedelta(days=settings.days_after)))
    return days


def step_due(settings: ReminderSettings, due: date, sent_on: date, today: date) -> str | None:
    """The step to send today for an open invoice due on `due` and sent on `sent_on`, or None."""
    reached = [(step, day) for step, day in step_days(settings, due) if day <= today]
    if not reached:
        return None
    step, day = reached[-1]
    if day < sent_on or (today - day).days > GRACE_DAYS:
        return None
    return step


def due_dates_to_check(today: date) -> list[date]:
    """Every due date an invoice could have and still have a step due today under some settings:
    from `MAX_DAYS + GRACE_DAYS` days ago to `MAX_DAYS` days ahead (one index query each)."""
    first = today - timedelta(days=MAX_DAYS + GRACE_DAYS)
    return [first + timedelta(days=n) for n in range(2 * MAX_DAYS + GRACE_DAYS + 1)]
