"""An invoice's figures (domain/figures.py): one definition, and the printed rows add up.

Before, `subtotal` was the sum of the lines after their discounts while every surface then
printed "Discounts" below it again, so Subtotal − Discounts + Tax ≠ Total on paper."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.figures import InvoiceFigures, Row, TaxFigure, invoice_figures, rows
from chalicelib.domain.invoices import Line, line_totals
from chalicelib.domain.money import MAX_AMOUNT
from tests.support.lines import line, lines_strategy

SETTINGS = settings(max_examples=200, deadline=None)
any_line = lines_strategy()
small_line = lines_strategy(max_price=10**7, max_quantity=Decimal(1000))  # 20 of them stay under MAX_AMOUNT


def add_up(printed: list[Row]) -> None:
    """Read the rows as a person would: each result row is the running sum of the rows above it."""
    running = 0
    for row in printed:
        if row.sign == "=":
            assert row.amount == running, (row.label, row.amount, running)
        else:
            running += row.amount if row.sign == "+" else -row.amount


def test_subtotal_is_before_discounts_so_the_rows_add_up() -> None:
    # 3 × 125.00 less 10 % at 20 % tax, and 510.00 at 7 %
    figures = invoice_figures([line(3, 12500, tax_bp=2000, discount_bp=1000), line(1, 51000, tax_bp=700)], paid=20000)
    assert [p.amount for p in figures.lines] == [37500, 51000]  # quantity × unit price, before discount and tax
    assert figures.subtotal == 88500
    assert figures.discount == 3750
    assert figures.taxes == (TaxFigure(700, 3570), TaxFigure(2000, 6750))
    assert figures.total == 88500 - 3750 + 3570 + 6750 == 95070
    assert figures.balance == 95070 - 20000
    assert [(r.label, r.amount, r.sign) for r in rows(figures)] == [
        ("Subtotal", 88500, "+"), ("Discounts", 3750, "-"), ("Tax 7 %", 3570, "+"), ("Tax 20 %", 6750, "+"),
        ("Total", 95070, "="), ("Paid", 20000, "-"), ("Balance due", 75070, "="),
    ]


def test_totals_are_the_sum_of_rounded_lines() -> None:
    # each line: 5 × 10 % = 0.5 → 1, so two lines carry 2 of tax (not round(1.0) = 1)
    figures = invoice_figures([line(1, 5, tax_bp=1000), line(1, 5, tax_bp=1000)])
    assert (figures.subtotal, figures.discount, figures.tax, figures.total) == (10, 0, 2, 12)
    assert figures.taxes == (TaxFigure(1000, 2),)


def test_figures_of_several_lines() -> None:
    figures = invoice_figures([
        line("6.5", 9500, tax_bp=1900),  # 61750 + 11733
        line(2, 1000, tax_bp=0, discount_bp=5000),  # 2000 − 1000 = 1000, no tax
        line(1, 333, tax_bp=700),  # 333 + 23.31 → 23
    ])
    assert (figures.subtotal, figures.discount, figures.tax, figures.total) == (64083, 1000, 11756, 74839)
    assert figures.taxes == (TaxFigure(700, 23), TaxFigure(1900, 11733))  # a 0 % line is no tax row


def test_no_lines_is_all_zero_and_still_prints_a_tax_row() -> None:
    figures = invoice_figures([])
    assert figures == InvoiceFigures(lines=(), subtotal=0, discount=0, taxes=(), tax=0, total=0, paid=0, balance=0)
    assert [r.key for r in rows(figures)] == ["subtotal", "tax", "total", "balance"]


def test_a_quote_prints_no_paid_or_balance_rows() -> None:
    assert [r.key for r in rows(invoice_figures([line(1, 100)]), with_paid=False)] == ["subtotal", "tax", "total"]


def test_total_at_the_ceiling_is_accepted() -> None:
    assert invoice_figures([line(1_000_000, 10**7)]).total == MAX_AMOUNT


@pytest.mark.parametrize("lines", [[line(1_000_000, 10**7), line(1, 1)], [line(1_000_000, 10**7, tax_bp=1)]])
def test_total_over_the_ceiling_is_refused(lines: list[Line]) -> None:
    with pytest.raises(ValidationError) as caught:
        invoice_figures(lines)
    assert caught.value.field == "lines"


@SETTINGS
@given(st.lists(small_line, max_size=20), st.integers(min_value=0, max_value=10**10))
def test_the_figures_are_the_rounded_lines_and_their_rows_add_up(lines: list[Line], paid: int) -> None:
    figures = invoice_figures(lines, paid)
    parts = [line_totals(item) for item in lines]
    assert [p.amount for p in figures.lines] == [p.gross for p in parts]
    assert figures.subtotal == sum(p.gross for p in parts)
    assert figures.discount == sum(p.discount for p in parts)
    assert figures.tax == sum(p.tax for p in parts) == sum(t.amount for t in figures.taxes)
    assert figures.total == figures.subtotal - figures.discount + figures.tax == sum(p.net + p.tax for p in parts)
    assert figures.balance == figures.total - paid
    assert [t.rate_bp for t in figures.taxes] == sorted({item.tax_rate_bp for item in lines} - {0})
    assert all(type(v) is int for v in (figures.subtotal, figures.discount, figures.tax, figures.total))
    add_up(rows(figures))


@SETTINGS
@given(st.lists(any_line, max_size=10))
def test_figures_refuse_exactly_when_over_the_ceiling(lines: list[Line]) -> None:
    expected_total = sum(p.net + p.tax for p in (line_totals(item) for item in lines))
    if expected_total > MAX_AMOUNT:
        with pytest.raises(ValidationError):
            invoice_figures(lines)
    else:
        assert invoice_figures(lines).total == expected_total


@SETTINGS
@given(st.lists(small_line, max_size=20), st.randoms(use_true_random=False))
def test_the_order_of_lines_does_not_change_the_totals(lines: list[Line], rnd: random.Random) -> None:
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    a, b = invoice_figures(shuffled), invoice_figures(lines)
    assert (a.subtotal, a.discount, a.taxes, a.tax, a.total) == (b.subtotal, b.discount, b.taxes, b.tax, b.total)
