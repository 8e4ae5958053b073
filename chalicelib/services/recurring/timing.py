"""A template's calendar in its business's time zone: the bridge between the stored template and
the pure rules of `domain/recurrence.py`."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from chalicelib.domain import recurrence as rules
from chalicelib.store.businesses import Business
from chalicelib.store.recurring import Template
from chalicelib.store.table import iso


def schedule_of(template: Template) -> rules.Schedule:
    return rules.Schedule(
        frequency=str(template.frequency), start=date.fromisoformat(template.start_date), end=str(template.end),
        cycles=int(template.end_after) if template.end_after is not None else None,
        until=date.fromisoformat(template.end_date) if template.end_date else None,
        passed_over=int(template.passed_over or 0),
    )


def zone_of(business: Business | None) -> ZoneInfo:
    return ZoneInfo((business.time_zone if business else None) or "UTC")


def local_today(business: Business | None, now: datetime) -> date:
    """The business's date at `now`: the day a period is issued on is the business's day."""
    return now.astimezone(zone_of(business)).date()


def refresh_agenda(template: Template, business: Business | None) -> None:
    """Put the template on the scheduler's agenda at its next period's local midnight (in UTC),
    or mark it finished when no period is left. Staff edits and every issued period call this."""
    schedule = schedule_of(template)
    upcoming = rules.next_date(schedule, int(template.next_index))
    if upcoming is None:
        if template.status in (rules.ACTIVE, rules.PAUSED):
            template.status = rules.FINISHED
        template.due_at = None
        return
    template.due_at = iso(datetime.combine(upcoming, time(0), zone_of(business)))
