"""Which payment reminder step is due: the latest whose day has come, within the grace days,
never before the invoice was sent."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.reminders import (
    AFTER,
    BEFORE,
    GRACE_DAYS,
    MAX_DAYS,
    ON_DUE,
    ReminderSettings,
    due_dates_to_check,
    step_due,
)

DUE = date(2027, 3, 10)
ALL = ReminderSettings(days_before=3, on_due=True, days_after=7)


@pytest.mark.parametrize(("today", "step"), [
    (date(2027, 3, 6), None), (date(2027, 3, 7), BEFORE), (date(2027, 3, 9), BEFORE), (date(2027, 3, 10), ON_DUE),
    (date(2027, 3, 13), ON_DUE), (date(2027, 3, 14), None), (date(2027, 3, 17), AFTER), (date(2027, 3, 20), AFTER),
    (date(2027, 3, 21), None),
])
def test_the_latest_step_whose_day_came_within_the_grace_days(today: date, step: str | None) -> None:
    assert step_due(ALL, DUE, date(2027, 2, 1), today) == step


def test_no_settings_no_reminders() -> None:
    assert not ReminderSettings().any
    assert all(step_due(ReminderSettings(), DUE, date(2027, 2, 1), DUE + timedelta(days=n)) is None for n in range(-5, 40))


def test_a_step_whose_day_was_before_the_invoice_was_sent_is_skipped() -> None:
    assert step_due(ALL, DUE, sent_on=date(2027, 3, 8), today=date(2027, 3, 8)) is None
    assert step_due(ALL, DUE, sent_on=date(2027, 3, 8), today=DUE) == ON_DUE


@given(st.integers(1, MAX_DAYS), st.booleans(), st.integers(1, MAX_DAYS), st.integers(-60, 60))
def test_any_step_due_today_has_its_due_date_in_the_window_queried(before: int, on_due: bool, after: int,
                                                                    offset: int) -> None:
    today = DUE + timedelta(days=offset)
    settings = ReminderSettings(days_before=before, on_due=on_due, days_after=after)
    if step_due(settings, DUE, date(2000, 1, 1), today) is not None:
        assert DUE in due_dates_to_check(today)


def test_the_window_spans_the_furthest_settings_plus_grace() -> None:
    days = due_dates_to_check(DUE)
    assert (days[0], days[-1]) == (DUE - timedelta(days=MAX_DAYS + GRACE_DAYS), DUE + timedelta(days=MAX_DAYS))
    assert len(days) == len(set(days))
