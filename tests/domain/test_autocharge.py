"""Rules of charging saved cards: idempotency keys, reasons staff read, the dates of repeats."""
from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import autocharge as rules


def test_one_key_per_invoice_and_attempt() -> None:
    assert rules.idempotency_key("b1", "d1", 1) == "autocharge-b1-d1-1"
    assert rules.idempotency_key("b1", "d1", 2) != rules.idempotency_key("b1", "d1", 1)


def test_reasons_are_words_staff_understand() -> None:
    assert rules.failure_reason("card_declined", "Your card was declined.") == "The card was declined."
    assert rules.failure_reason("card_declined", "Your card has insufficient funds.") == \
        "The card was declined: Your card has insufficient funds."
    assert "3-D Secure" in rules.failure_reason("authentication_required", "anything Stripe says")
    assert rules.failure_reason("processing_error", "An error occurred while processing your card.") == \
        "An error occurred while processing your card."
    assert rules.failure_reason("weird", None) == "The charge failed."


def test_monthly_repeats_keep_the_day_and_fall_back_to_the_months_last_day() -> None:
    dates = [rules.charge_date(date(2026, 1, 31), n, "monthly").isoformat() for n in range(4)]
    assert dates == ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]
    assert rules.charge_date(date(2026, 12, 15), 1, "monthly") == date(2027, 1, 15)
    assert rules.charge_date(date(2026, 12, 15), 2, "weekly") == date(2026, 12, 29)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(min_value=0, max_value=60))
def test_each_monthly_repeat_falls_in_its_own_month(first: date, n: int) -> None:
    charged = rules.charge_date(first, n, "monthly")
    months = (charged.year - first.year) * 12 + charged.month - first.month
    assert months == n and charged.day <= first.day


def test_the_scheduler_looks_back_a_week() -> None:
    days = rules.dates_to_check(date(2026, 3, 10))
    assert days[0] == date(2026, 3, 3) and days[-1] == date(2026, 3, 10) and len(days) == 8
