"""Statements: ranges, running balances, ageing buckets, and what never counts."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.statements import EntryFact, InvoiceFact, bucket_of, build, parse_range

TODAY = date(2026, 6, 30)


def test_ranges_default_and_limits() -> None:
    assert parse_range(None, None, TODAY) == (date(2026, 1, 1), TODAY)  # this year so far
    assert parse_range(None, "2025-03-04", TODAY) == (date(2025, 1, 1), date(2025, 3, 4))
    assert parse_range(None, None, date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 1, 1))
    assert parse_range("2021-06-30", "2026-06-30", TODAY) == (date(2021, 6, 30), TODAY)
    assert parse_range("2023-02-28", "2028-02-29", TODAY) == (date(2023, 2, 28), date(2028, 2, 29))
    assert parse_range("2026-01-01", "2026-01-01", TODAY) == (date(2026, 1, 1), date(2026, 1, 1))
    for start, end, field in (("2021-06-29", "2026-06-30", "from"), ("2026-02-01", "2026-01-31", "from"),
                              ("2026-1-01", None, "from"), ("2026-02-30", None, "from"), ("x", None, "from"),
                              (None, "2026-06-31", "to"), (None, "２０２６-01-01", "to"), (None, "2026-01-01T00:00", "to")):
        with pytest.raises(ValidationError) as caught:
            parse_range(start, end, TODAY)
        assert caught.value.field == field


@pytest.mark.parametrize(("days", "bucket"), [(-5, "current"), (0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"),
                                              (60, "31-60"), (61, "61-90"), (90, "61-90"), (91, "90+"), (4000, "90+")])
def test_ageing_buckets(days: int, bucket: str) -> None:
    assert bucket_of(days) == bucket


def test_lost_disputes_add_back_refunds_settle_what_they_return_won_unapplied_and_cancelled_do_nothing() -> None:
    invoices = [InvoiceFact("a", "INV-1", "EUR", "2026-06-01", "2026-06-10", 10_000),
                InvoiceFact("x", "INV-2", "EUR", "2026-06-02", None, 50_000, cancelled=True)]
    entries = [EntryFact("a", "INV-1", "payment", 10_000, "EUR", "2026-06-05", method="stripe"),
               EntryFact("a", "INV-1", "refund", 2_000, "EUR", "2026-06-06"),
               EntryFact("a", "INV-1", "dispute", 1_000, "EUR", "2026-06-07", dispute_status="lost"),
               EntryFact("a", "INV-1", "dispute", 5_000, "EUR", "2026-06-08", dispute_status="won"),
               EntryFact("a", "INV-1", "unapplied", 9_999, "USD", "2026-06-09")]
    [section] = build(invoices, entries, date(2026, 6, 1), TODAY, "EUR").sections
    assert [(line.kind, line.debit, line.credit, line.balance) for line in section.lines] == [
        ("invoice", 10_000, 0, 10_000), ("payment", 0, 10_000, 0), ("refund", 2_000, 2_000, 0),
        ("dispute", 1_000, 0, 1_000)]
    assert section.lines[1].description == "Payment (card), INV-1"
    assert section.lines[3].description == "Disputed payment (lost), INV-1"
    assert section.closing == 1_000 and section.ageing["61-90"] == 0 and section.ageing["1-30"] == 1_000


def test_a_refund_of_an_overpayment_moves_the_balance_back_to_zero() -> None:
    invoices = [InvoiceFact("a", "INV-1", "EUR", "2026-06-01", "2026-06-10", 10_000)]
    entries = [EntryFact("a", "INV-1", "payment", 11_000, "EUR", "2026-06-05"),
               EntryFact("a", "INV-1", "refund", 3_000, "EUR", "2026-06-06")]
    [section] = build(invoices, entries, date(2026, 6, 1), TODAY, "EUR").sections
    assert [(line.kind, line.debit, line.credit, line.balance) for line in section.lines] == [
        ("invoice", 10_000, 0, 10_000), ("payment", 0, 11_000, -1_000), ("refund", 3_000, 2_000, 0)]


def test_nothing_at_all_is_one_empty_section_in_the_business_currency() -> None:
    [section] = build([], [], date(2026, 1, 1), TODAY, "GBP").sections
    assert (section.currency, section.opening, section.lines, section.closing, section.open_total) == ("GBP", 0, [], 0, 0)


def test_an_overpaid_invoice_owes_nothing_in_the_ageing() -> None:
    invoices = [InvoiceFact("a", "INV-1", "EUR", "2026-01-01", "2026-01-10", 1_000),
                InvoiceFact("b", "INV-2", "EUR", "2026-01-01", "2026-01-10", 1_000)]
    entries = [EntryFact("a", "INV-1", "payment", 1_500, "EUR", "2026-01-05")]
    [section] = build(invoices, entries, date(2026, 1, 1), TODAY, "EUR").sections
    assert section.closing == 500 and section.open_total == 1_000 and section.ageing["90+"] == 1_000


def test_what_happens_after_the_end_is_left_out() -> None:
    invoices = [InvoiceFact("a", "INV-1", "EUR", "2026-01-01", "2026-01-31", 1_000),
                InvoiceFact("b", "INV-2", "EUR", "2026-07-01", "2026-07-31", 7_000)]
    entries = [EntryFact("a", "INV-1", "payment", 1_000, "EUR", "2026-07-02")]
    [section] = build(invoices, entries, date(2026, 1, 1), TODAY, "EUR").sections
    assert [line.reference for line in section.lines] == ["INV-1"]
    assert section.closing == 1_000 and section.ageing == {"current": 0, "1-30": 0, "31-60": 0, "61-90": 0, "90+": 1_000}


_day = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)).map(date.isoformat)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 10**6), _day), max_size=8),
       st.lists(st.tuples(st.sampled_from(["payment", "refund", "credit"]), st.integers(1, 10**6), _day), max_size=8),
       st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)))
def test_opening_plus_lines_is_closing_and_ranges_chain(raw_invoices: list[tuple[int, str]],
                                                        raw_entries: list[tuple[str, int, str]], cut: date) -> None:
    invoices = [InvoiceFact(f"d{i}", f"INV-{i}", "EUR", on, None, total) for i, (total, on) in enumerate(raw_invoices)]
    entries = [EntryFact(f"d{i % max(1, len(invoices))}", None, kind, amount, "EUR", on)
               for i, (kind, amount, on) in enumerate(raw_entries)]
    start, end = date(2025, 1, 1), date(2026, 12, 31)
    [whole] = build(invoices, entries, start, end, "EUR").sections
    assert whole.opening == 0
    assert whole.closing == whole.opening + sum(line.debit - line.credit for line in whole.lines)
    assert [line.on for line in whole.lines] == sorted(line.on for line in whole.lines)
    if cut < end:  # statements of two adjacent periods chain: the second opens where the first closed
        [first] = build(invoices, entries, start, cut, "EUR").sections
        [second] = build(invoices, entries, cut + timedelta(days=1), end, "EUR").sections
        assert second.opening == first.closing and second.closing == whole.closing
