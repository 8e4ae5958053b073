"""The one clock: every "now" and "today" in business logic comes from here.

Services read it and pass moments into `domain/` as arguments (domain stays clock-free).
Tests fix or shift time with `use(...)` instead of patching each module.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def _system() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _system


def now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    moment = _source()
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def today(tz: str | None = None) -> date:
    """Today's date where dates are shown: in the IANA time zone `tz`, else UTC.

    Where the business's own date matters (recurring periods, statements' "this year", auto-charge
    on the due date) callers pass `Business.time_zone`; elsewhere None, and dates (due dates,
    "overdue", receipts) are UTC dates — what Lambda's local time was before this module.
    """
    return now().astimezone(ZoneInfo(tz) if tz else UTC).date()


def use(source: Callable[[], datetime] | None) -> None:
    """Tests: read time from `source` (e.g. `lambda: fixed`), or the system clock again with None."""
    global _source
    _source = source or _system
