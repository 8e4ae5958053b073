"""The calendar of a recurring invoice: period dates (month-end safe), ends, and what a late run
issues (catch up or skip) — as examples and as properties over any schedule and any run times."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import recurrence as rules
from chalicelib.domain.errors import ValidationError

FREQUENCIES = st.sampled_from(sorted(rules.STEPS))
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


def monthly(start: date, **kw: object) -> rules.Schedule:
    return rules.Schedule("monthly", start, **kw)  # type: ignore[arg-type]


def test_a_monthly_invoice_started_on_the_31st_lands_on_each_months_last_day_then_comes_back() -> None:
    schedule = monthly(date(2027, 1, 31))
    assert [rules.period_date(schedule, i) for i in range(5)] == [
        date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30), date(2027, 5, 31)]
    assert rules.period_date(monthly(date(2028, 1, 31)), 1) == date(2028, 2, 29)  # leap year


@pytest.mark.parametrize("frequency, second", [
    ("weekly", date(2027, 1, 8)), ("biweekly", date(2027, 1, 15)), ("monthly", date(2027, 2, 1)),
    ("quarterly", date(2027, 4, 1)), ("semiannually", date(2027, 7, 1)), ("yearly", date(2028, 1, 1)),
])
def test_each_frequency_steps_as_its_name_says(frequency: str, second: date) -> None:
    assert rules.period_date(rules.Schedule(frequency, date(2027, 1, 1)), 1) == second


def test_ends_after_n_cycles_or_on_a_date() -> None:
    after = monthly(date(2027, 1, 15), end=rules.AFTER, cycles=3)
    assert rules.last_index(after) == 2 and rules.cycles_remaining(after, 0) == 3
    assert rules.next_date(after, 3) is None and rules.is_finished(after, 3)
    on = monthly(date(2027, 1, 15), end=rules.ON_DATE, until=date(2027, 4, 14))
    assert rules.last_index(on) == 2  # 15 Jan, 15 Feb, 15 Mar; 15 Apr is after the end
    assert rules.cycles_remaining(monthly(date(2027, 1, 15)), 5) is None


def test_a_late_run_catches_up_one_per_period_or_skips_to_the_latest() -> None:
    schedule = monthly(date(2027, 1, 1))
    assert rules.due(schedule, 0, date(2027, 3, 5), rules.CATCH_UP).issue == [0, 1, 2]
    skipped = rules.due(schedule, 0, date(2027, 3, 5), rules.SKIP)
    assert skipped.issue == [2] and skipped.skipped == [0, 1]
    assert rules.due(schedule, 3, date(2027, 3, 31), rules.CATCH_UP).issue == []


def test_resuming_does_not_bill_the_paused_periods() -> None:
    schedule = monthly(date(2027, 1, 1))
    assert rules.resume_index(schedule, 2, date(2027, 6, 1)) == 5  # 1 June is today: it is billed
    assert rules.resume_index(schedule, 2, date(2027, 6, 2)) == 6
    assert rules.resume_index(schedule, 2, date(2027, 1, 20)) == 2
    # Ending after 4 cycles, paused after 2: the 3 periods not billed move the end on by 3.
    resumed = rules.Schedule("monthly", date(2027, 1, 1), end=rules.AFTER, cycles=4, passed_over=3)
    assert rules.cycles_remaining(resumed, 5) == 2 and rules.last_index(resumed) == 6


@pytest.mark.parametrize("schedule, field", [
    (rules.Schedule("daily", date(2027, 1, 1)), "frequency"),
    (monthly(date(2027, 1, 1), end=rules.AFTER), "end_after"),
    (monthly(date(2027, 1, 1), end=rules.ON_DATE), "end_date"),
    (monthly(date(2027, 1, 1), end=rules.ON_DATE, until=date(2026, 12, 31)), "end_date"),
])
def test_a_schedule_that_cannot_be_followed_is_refused(schedule: rules.Schedule, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        rules.check_schedule(schedule)
    assert refused.value.field == field


@settings(max_examples=300)
@given(FREQUENCIES, DAYS, st.integers(0, 400))
def test_periods_move_forward_and_months_keep_their_day_when_the_month_has_it(
        frequency: str, start: date, index: int) -> None:
    schedule = rules.Schedule(frequency, start)
    this, following = rules.period_date(schedule, index), rules.period_date(schedule, index + 1)
    assert following > this
    days, months = rules.STEPS[frequency]
    if days:
        assert (following - this).days == days
    else:
        assert this.day == start.day or (this + timedelta(days=1)).day == 1  # same day, or the month's last
        assert (following.year * 12 + following.month) - (this.year * 12 + this.month) == months


@settings(max_examples=300)
@given(FREQUENCIES, DAYS, st.integers(0, 3000))
def test_last_due_is_exactly_the_last_period_on_or_before_the_day(frequency: str, start: date, offset: int) -> None:
    schedule = rules.Schedule(frequency, start)
    day = start + timedelta(days=offset)
    last = rules.last_due(schedule, day)
    assert rules.period_date(schedule, last) <= day < rules.period_date(schedule, last + 1)


@settings(max_examples=200)
@given(FREQUENCIES, DAYS, st.lists(st.integers(0, 60), min_size=1, max_size=40), st.sampled_from(rules.POLICIES),
       st.one_of(st.none(), st.integers(1, 30)))
def test_runs_at_any_times_issue_each_period_once_in_order_and_never_early(
        frequency: str, start: date, gaps: list[int], policy: str, cycles: int | None) -> None:
    """However irregular the runs (several a day, or days apart), a period is issued at most once,
    never before its date, never past the end; catching up misses none, skipping issues the latest."""
    schedule = rules.Schedule(frequency, start, end=rules.AFTER if cycles else rules.NEVER, cycles=cycles)
    next_index, issued, passed, day = 0, [], [], start - timedelta(days=3)
    for gap in gaps:
        day += timedelta(days=gap)
        plan = rules.due(schedule, next_index, day, policy)
        assert all(rules.period_date(schedule, i) <= day for i in plan.issue)
        if plan.issue:
            assert plan.issue[0] == (plan.skipped[-1] + 1 if plan.skipped else next_index)
            assert plan.issue == list(range(plan.issue[0], plan.issue[-1] + 1))
            next_index = plan.issue[-1] + 1
        issued += plan.issue
        passed += plan.skipped
    assert sorted(issued + passed) == list(range(next_index))  # each period once: issued or skipped
    if cycles:
        assert next_index <= cycles
    if policy == rules.CATCH_UP:
        assert passed == []
        if len(plan.issue) < rules.MAX_PER_RUN:  # the last run was not capped: nothing due is left
            assert next_index == rules.last_due(schedule, day) + 1
