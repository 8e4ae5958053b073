"""Invoice rules: line totals, quantities, statuses and transitions (invoice figures: test_figures.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.invoices import (
    CANCELLED,
    DRAFT,
    INVOICE,
    PAID,
    PARTIAL,
    QUOTE,
    SENT,
    STATUSES,
    Line,
    LineTotals,
    check_can_cancel,
    check_can_delete,
    check_can_send,
    check_can_share,
    check_dates,
    check_editable,
    check_payment,
    check_quantity,
    display_status,
    document_number,
    line_totals,
    status_after_payment,
)
from chalicelib.domain.money import MAX_AMOUNT
from tests.support.lines import line, lines_strategy, quantities

SETTINGS = settings(max_examples=200, deadline=None)
TODAY = date(2024, 6, 15)
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)




# --- line totals, by hand -------------------------------------------------------------


def test_line_totals_with_fractional_quantity_and_tax_rounds_half_up() -> None:
    # 6.5 × 95.00 = 617.50; 19 % of 617.50 = 117.325 → 117.33
    assert line_totals(line("6.5", 9500, tax_bp=1900)) == LineTotals(gross=61750, discount=0, net=61750, tax=11733)


def test_line_totals_simple_line() -> None:
    assert line_totals(line(3, 1999, tax_bp=2000)) == LineTotals(gross=5997, discount=0, net=5997, tax=1199)


def test_discount_is_applied_before_tax() -> None:
    # 100.00 less 10 % = 90.00; 20 % tax on 90.00 = 18.00 (not 20.00 on the gross)
    assert line_totals(line(1, 10000, tax_bp=2000, discount_bp=1000)) == LineTotals(
        gross=10000, discount=1000, net=9000, tax=1800
    )


def test_gross_is_rounded_half_up() -> None:
    assert line_totals(line("0.5", 1)).gross == 1
    assert line_totals(line("0.0001", 5)).gross == 0  # 0.0005 → 0
    assert line_totals(line("0.0001", 5000)).gross == 1  # 0.5 → 1
    assert line_totals(line("2.5", 3)).gross == 8  # 7.5 → 8


def test_discount_is_rounded_half_up() -> None:
    # 15 % of 10 = 1.5 → 2
    assert line_totals(line(1, 10, discount_bp=1500)) == LineTotals(gross=10, discount=2, net=8, tax=0)


def test_full_discount_leaves_nothing_to_tax() -> None:
    assert line_totals(line(3, 2500, tax_bp=2000, discount_bp=10_000)) == LineTotals(gross=7500, discount=7500, net=0, tax=0)


def test_zero_price_line() -> None:
    assert line_totals(line(10, 0, tax_bp=2000)) == LineTotals(gross=0, discount=0, net=0, tax=0)


# --- properties -----------------------------------------------------------------------





any_line = lines_strategy()
# small enough that up to 20 of them can never pass MAX_AMOUNT
small_line = lines_strategy(max_price=10**7, max_quantity=Decimal(1000))


@SETTINGS
@given(any_line)
def test_line_totals_properties(item: Line) -> None:
    parts = line_totals(item)
    assert all(type(v) is int for v in (parts.gross, parts.discount, parts.net, parts.tax))
    assert parts.gross >= 0 and parts.discount >= 0 and parts.net >= 0 and parts.tax >= 0
    assert parts.net == parts.gross - parts.discount
    assert parts.net <= parts.gross
    # each part is the exact value rounded to the nearest minor unit
    assert abs(parts.gross - item.quantity * item.unit_price) <= Decimal("0.5")
    assert abs(parts.discount - Decimal(parts.gross) * item.discount_bp / 10_000) <= Decimal("0.5")
    assert abs(parts.tax - Decimal(parts.net) * item.tax_rate_bp / 10_000) <= Decimal("0.5")


@SETTINGS
@given(any_line)
def test_full_discount_means_no_net_and_no_tax(item: Line) -> None:
    parts = line_totals(Line(item.description, item.quantity, item.unit_price, item.tax_rate_bp, 10_000))
    assert parts.net == 0
    assert parts.tax == 0
    assert parts.discount == parts.gross


# --- quantities -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "quantity",
    [
        "0",
        "-0",
        "-1",
        "-0.0001",
        "NaN",
        "sNaN",
        "Infinity",
        "-Infinity",
        "1000000.0001",
        "1000001",
        "1E+7",
        "0.00001",
        "1.00001",
        "2.12345",
    ],
)
def test_check_quantity_rejects(quantity: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_quantity(Decimal(quantity), "lines.0.quantity")
    assert caught.value.field == "lines.0.quantity"


@pytest.mark.parametrize("quantity", ["0.0001", "1", "6.5", "1.2345", "1000000", "1000000.0000", "1E+6", "999999.9999"])
def test_check_quantity_accepts(quantity: str) -> None:
    check_quantity(Decimal(quantity), "quantity")


@SETTINGS
@given(quantities)
def test_check_quantity_accepts_every_valid_quantity(quantity: Decimal) -> None:
    check_quantity(quantity, "quantity")


# --- statuses -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [SENT, PARTIAL])
def test_open_invoice_past_due_is_overdue(status: str) -> None:
    assert display_status(status, YESTERDAY, TODAY) == "overdue"
    assert display_status(status, date(2000, 1, 1), TODAY) == "overdue"


@pytest.mark.parametrize("status", [SENT, PARTIAL])
def test_open_invoice_due_today_or_later_is_not_overdue(status: str) -> None:
    assert display_status(status, TODAY, TODAY) == status
    assert display_status(status, TOMORROW, TODAY) == status
    assert display_status(status, None, TODAY) == status


@pytest.mark.parametrize("status", [DRAFT, PAID, CANCELLED])
def test_closed_or_draft_invoice_is_never_overdue(status: str) -> None:
    assert display_status(status, YESTERDAY, TODAY) == status
    assert display_status(status, date(2000, 1, 1), TODAY) == status


def test_check_dates() -> None:
    check_dates(TODAY, None)
    check_dates(TODAY, TODAY)
    check_dates(TODAY, TOMORROW)
    with pytest.raises(ValidationError) as caught:
        check_dates(TODAY, YESTERDAY)
    assert caught.value.field == "due_date"


# --- editing --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [INVOICE, QUOTE])
def test_drafts_can_change_anything(kind: str) -> None:
    check_editable(kind, DRAFT, {"lines", "currency", "client_id", "notes", "due_date", "issue_date"})
    check_editable(kind, DRAFT, set())


@pytest.mark.parametrize(
    "changed", [{"notes"}, {"terms"}, {"po_number"}, {"due_date"}, {"notes", "terms", "po_number", "due_date"}, set()]
)
def test_sent_invoice_can_change_fields_that_do_not_move_money(changed: set[str]) -> None:
    check_editable(INVOICE, SENT, changed)


@pytest.mark.parametrize("field", ["lines", "currency", "client_id", "issue_date"])
def test_sent_invoice_cannot_change_money_fields(field: str) -> None:
    with pytest.raises(Conflict) as caught:
        check_editable(INVOICE, SENT, {field})
    assert caught.value.field == field
    with pytest.raises(Conflict) as caught:
        check_editable(INVOICE, SENT, {"notes", field})
    assert caught.value.field == field


def test_sent_invoice_names_one_offending_field() -> None:
    with pytest.raises(Conflict) as caught:
        check_editable(INVOICE, SENT, {"notes", "lines", "currency"})
    assert caught.value.field in {"lines", "currency"}


@pytest.mark.parametrize("status", [PAID, CANCELLED])
@pytest.mark.parametrize("changed", [{"notes"}, {"lines"}, {"due_date", "terms"}])
def test_paid_and_cancelled_cannot_change_anything(status: str, changed: set[str]) -> None:
    with pytest.raises(Conflict):
        check_editable(INVOICE, status, changed)


# --- transitions ----------------------------------------------------------------------


def test_a_draft_with_lines_can_be_sent() -> None:
    check_can_send(DRAFT, 1)


def test_a_draft_without_lines_cannot_be_sent() -> None:
    with pytest.raises(Conflict) as caught:
        check_can_send(DRAFT, 0)
    assert caught.value.field == "lines"


@pytest.mark.parametrize("status", [SENT, PARTIAL, PAID, CANCELLED])
def test_only_drafts_can_be_sent(status: str) -> None:
    with pytest.raises(Conflict):
        check_can_send(status, 3)


@pytest.mark.parametrize("status", [SENT, PARTIAL, PAID])
def test_sent_documents_can_be_shared(status: str) -> None:
    check_can_share(status)


@pytest.mark.parametrize("status", [DRAFT, CANCELLED])
def test_drafts_and_cancelled_documents_cannot_be_shared(status: str) -> None:
    with pytest.raises(Conflict):
        check_can_share(status)


@pytest.mark.parametrize("status", [DRAFT, SENT])
def test_unpaid_documents_can_be_cancelled(status: str) -> None:
    check_can_cancel(status, 0)


@pytest.mark.parametrize(
    ("status", "amount_paid"), [(SENT, 1), (PARTIAL, 500), (PAID, 1000), (PAID, 0), (CANCELLED, 0), (DRAFT, 1)]
)
def test_paid_or_cancelled_documents_cannot_be_cancelled(status: str, amount_paid: int) -> None:
    with pytest.raises(Conflict):
        check_can_cancel(status, amount_paid)


def test_drafts_can_be_deleted() -> None:
    check_can_delete(DRAFT)


@pytest.mark.parametrize("status", [SENT, PARTIAL, PAID, CANCELLED])
def test_only_drafts_can_be_deleted(status: str) -> None:
    with pytest.raises(Conflict):
        check_can_delete(status)


@pytest.mark.parametrize(
    ("total", "paid", "expected"),
    [(1000, 0, SENT), (1000, 1, PARTIAL), (1000, 999, PARTIAL), (1000, 1000, PAID), (1000, 1500, PAID)],
)
def test_status_after_payment(total: int, paid: int, expected: str) -> None:
    assert status_after_payment(total, paid) == expected


@SETTINGS
@given(st.integers(min_value=1, max_value=MAX_AMOUNT), st.integers(min_value=0, max_value=MAX_AMOUNT))
def test_status_after_payment_is_paid_exactly_when_covered(total: int, paid: int) -> None:
    status = status_after_payment(total, paid)
    assert status in STATUSES
    assert (status == PAID) == (paid >= total)
    assert (status == SENT) == (paid == 0)


# --- payments -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [SENT, PARTIAL])
def test_a_payment_up_to_the_balance_is_accepted(status: str) -> None:
    check_payment(INVOICE, status, 1, 1000)
    check_payment(INVOICE, status, 1000, 1000)


@pytest.mark.parametrize("amount", [0, -1, -1000])
def test_a_payment_must_be_positive(amount: int) -> None:
    with pytest.raises(ValidationError) as caught:
        check_payment(INVOICE, SENT, amount, 1000)
    assert caught.value.field == "amount"


def test_a_payment_cannot_exceed_the_balance() -> None:
    with pytest.raises(ValidationError) as caught:
        check_payment(INVOICE, PARTIAL, 1001, 1000)
    assert caught.value.field == "amount"


@pytest.mark.parametrize("status", [DRAFT, PAID, CANCELLED])
def test_only_open_invoices_take_payments(status: str) -> None:
    with pytest.raises(Conflict):
        check_payment(INVOICE, status, 100, 1000)


@pytest.mark.parametrize("status", [SENT, PARTIAL])
def test_quotes_cannot_be_paid(status: str) -> None:
    with pytest.raises(Conflict):
        check_payment(QUOTE, status, 100, 1000)


# --- numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "sequence", "expected"),
    [
        (INVOICE, 7, "INV-0007"),
        (QUOTE, 12, "QUO-0012"),
        (INVOICE, 1, "INV-0001"),
        (INVOICE, 9999, "INV-9999"),
        (INVOICE, 12345, "INV-12345"),
        (QUOTE, 100000, "QUO-100000"),
    ],
)
def test_document_number(kind: str, sequence: int, expected: str) -> None:
    assert document_number(kind, sequence) == expected


@SETTINGS
@given(st.sampled_from([INVOICE, QUOTE]), st.integers(min_value=1, max_value=10**9))
def test_document_numbers_keep_every_digit(kind: str, sequence: int) -> None:
    number = document_number(kind, sequence)
    prefix, digits = number.split("-")
    assert prefix == ("INV" if kind == INVOICE else "QUO")
    assert int(digits) == sequence
    assert len(digits) >= 4


def test_a_partly_paid_invoice_can_still_change_its_notes_but_not_its_lines() -> None:
    check_editable(INVOICE, PARTIAL, {"notes", "due_date"})
    with pytest.raises(Conflict) as caught:
        check_editable(INVOICE, PARTIAL, {"lines"})
    assert caught.value.field == "lines"


def test_trailing_zeros_do_not_count_as_decimal_places() -> None:
    check_quantity(Decimal("1.00000"), "q")
    check_quantity(Decimal("2.500000"), "q")
