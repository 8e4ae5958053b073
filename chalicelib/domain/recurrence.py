"""Recurring invoices: the calendar of a template, as pure rules (no clock: `today` is passed in).

A template issues period 0 on its start date, period `i` on `period_date(schedule, i)`. Periods
counted in months are always computed from the start date (never from the previous period), so a
template started on 31 January issues on 28/29 February, then 31 March, 30 April, 31 May: the
day of the month comes back whenever the month has it.

A template ends never, after N cycles (periods 0…N-1), or on a date (the last period is the last
one on or before that date). When the scheduler runs late, `due` says which periods to issue now:
every missed one (catch up), or only the most recent (skip), the others passed over (they count
as cycles: the template still ends with its Nth period). Periods that fell while it was paused
are not billed and do not count: an end after N cycles moves on by as many (`passed_over`), so
the cycles remaining that the paused template showed are still there when it resumes.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from chalicelib.domain.errors import ValidationError

# frequency → (days, months) of one period; exactly one of the two is set.
STEPS: dict[str, tuple[int, int]] = {
    "weekly": (7, 0),
    "biweekly": (14, 0),
    "monthly": (0, 1),
    "quarterly": (0, 3),
    "semiannually": (0, 6),
    "yearly": (0, 12),
}
FREQUENCY_WORDS = {"weekly": "Every week", "biweekly": "Every 2 weeks", "monthly": "Every month",
                   "quarterly": "Every 3 months", "semiannually": "Every 6 months", "yearly": "Every year"}
NEVER, AFTER, ON_DATE = "never", "after", "on_date"
ENDS = (NEVER, AFTER, ON_DATE)
CATCH_UP, SKIP = "catch_up", "skip"
POLICIES = (CATCH_UP, SKIP)
ACTIVE, PAUSED, STOPPED, FINISHED = "active", "paused", "stopped", "finished"
MAX_CYCLES = 1000
# A run issues at most this many periods of one template; the rest go on the next run (an hour
# later), so a long outage or a start date far in the past cannot flood a client in one go.
MAX_PER_RUN = 24


@dataclass(frozen=True)
class Schedule:
    frequency: str
    start: date
    end: str = NEVER
    cycles: int | None = None  # end == AFTER: how many periods in all
    until: date | None = None  # end == ON_DATE: no period after this date
    passed_over: int = 0  # periods that fell while it was paused: not billed, not counted toward the end


@dataclass(frozen=True)
class Due:
    """What a run does now: `issue` these periods (in order); `skipped` were passed over."""

    issue: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def check_schedule(schedule: Schedule) -> None:
    """Raise ValidationError unless the schedule can be followed."""
    if schedule.frequency not in STEPS:
        raise ValidationError(f"Frequency must be one of {', '.join(STEPS)}.", field="frequency")
    if schedule.end not in ENDS:
        raise ValidationError(f"End must be one of {', '.join(ENDS)}.", field="end")
    if schedule.end == AFTER and not (schedule.cycles and 1 <= schedule.cycles <= MAX_CYCLES):
        raise ValidationError(f"Say after how many invoices it ends (1 to {MAX_CYCLES}).", field="end_after")
    if schedule.end == ON_DATE:
        if schedule.until is None:
            raise ValidationError("Say on which date it ends.", field="end_date")
        if schedule.until < schedule.start:
            raise ValidationError("The end date must be on or after the start date.", field="end_date")


def add_months(start: date, months: int) -> date:
    """`start` moved by whole months, on the same day of the month or the month's last day."""
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def period_date(schedule: Schedule, index: int) -> date:
    """The issue date (in the business's time zone) of period `index` (0 = the start date)."""
    days, months = STEPS[schedule.frequency]
    if days:
        return schedule.start + timedelta(days=days * index)
    return add_months(schedule.start, months * index)


def last_index(schedule: Schedule) -> int | None:
    """The template's last period, or None when it never ends."""
    if schedule.end == AFTER and schedule.cycles is not None:
        return schedule.cycles - 1 + schedule.passed_over
    if schedule.end == ON_DATE and schedule.until is not None:
        return _last_on_or_before(schedule, schedule.until)
    return None


def _last_on_or_before(schedule: Schedule, day: date) -> int:
    """The last period dated on or before `day` (-1: none yet), ignoring the end."""
    if day < schedule.start:
        return -1
    days, months = STEPS[schedule.frequency]
    if days:
        return (day - schedule.start).days // days
    index = ((day.year - schedule.start.year) * 12 + day.month - schedule.start.month) // months
    return index - 1 if period_date(schedule, index) > day else index


def last_due(schedule: Schedule, today: date) -> int:
    """The last period whose date has come by `today`, within the end (-1: none)."""
    found = _last_on_or_before(schedule, today)
    final = last_index(schedule)
    return found if final is None else min(found, final)


def is_finished(schedule: Schedule, next_index: int) -> bool:
    final = last_index(schedule)
    return final is not None and next_index > final


def due(schedule: Schedule, next_index: int, today: date, policy: str) -> Due:
    """The periods from `next_index` on whose date has come by `today` (at most MAX_PER_RUN):
    all of them (catch up), or the latest alone with the earlier ones skipped (skip)."""
    latest = last_due(schedule, today)
    if latest < next_index:
        return Due()
    if policy == SKIP:
        return Due(issue=[latest], skipped=list(range(next_index, latest)))
    return Due(issue=list(range(next_index, min(latest, next_index + MAX_PER_RUN - 1) + 1)))


def next_date(schedule: Schedule, next_index: int) -> date | None:
    """When the next invoice is issued (None: the template has ended)."""
    return None if is_finished(schedule, next_index) else period_date(schedule, next_index)


def cycles_remaining(schedule: Schedule, next_index: int) -> int | None:
    """How many invoices are still to come (None: no end)."""
    final = last_index(schedule)
    return None if final is None else max(0, final + 1 - next_index)


def resume_index(schedule: Schedule, next_index: int, today: date) -> int:
    """Where a paused template picks up: the first period dated today or later (periods that
    fell while it was paused are not billed), never before where it stopped."""
    return max(next_index, _last_on_or_before(schedule, today - timedelta(days=1)) + 1)
