"""Invoice and quote rules: line totals, statuses, and which transitions are allowed.

The invoice's figures (subtotal, discounts, tax per rate, total, balance) are in `figures.py`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.money import round_half_up

INVOICE = "invoice"
QUOTE = "quote"
KINDS = (INVOICE, QUOTE)

DRAFT, SENT, PARTIAL, PAID, CANCELLED = "draft", "sent", "partial", "paid", "cancelled"
ACCEPTED, DECLINED = "accepted", "declined"  # a client's decision on a sent quote
STATUSES = (DRAFT, SENT, PARTIAL, PAID, CANCELLED, ACCEPTED, DECLINED)
OPEN_STATUSES = (SENT, PARTIAL)  # a client owes money on these
OVERDUE = "overdue"  # derived, never stored: an open invoice past its due date
BASIS_POINTS = Decimal(10_000)
MAX_LINES = 200
NUMBER_PREFIX = {INVOICE: "INV-", QUOTE: "QUO-"}

# Fields a sent or partly paid invoice may still change: nothing that moves money.
EDITABLE_WHEN_SENT = frozenset({"notes", "terms", "po_number", "due_date", "allow_partial", "minimum_partial"})


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit_price: int  # minor units
    tax_rate_bp: int = 0  # basis points: 2000 = 20 %
    discount_bp: int = 0  # basis points off the line
    product_id: str | None = None


@dataclass(frozen=True)
class LineTotals:
    gross: int  # quantity × unit price
    discount: int
    net: int  # gross − discount
    tax: int


MAX_QUANTITY = Decimal(1_000_000)
QUANTITY_PLACES = 4


def check_quantity(quantity: Decimal, field: str) -> None:
    """A quantity is a finite positive number with at most four decimal places."""
    if not quantity.is_finite() or quantity <= 0 or quantity > MAX_QUANTITY:
        raise ValidationError("The quantity must be more than 0 and at most 1,000,000.", field=field)
    if quantity.normalize().as_tuple().exponent < -QUANTITY_PLACES:  # type: ignore[operator]
        raise ValidationError("The quantity can have at most 4 decimal places.", field=field)


def line_totals(line: Line) -> LineTotals:
    """Totals of one line, each rounded half-up to a whole minor unit (per-line rounding)."""
    gross = round_half_up(line.quantity * line.unit_price)
    discount = round_half_up(Decimal(gross) * line.discount_bp / BASIS_POINTS)
    net = gross - discount
    tax = round_half_up(Decimal(net) * line.tax_rate_bp / BASIS_POINTS)
    return LineTotals(gross=gross, discount=discount, net=net, tax=tax)


def display_status(status: str, due_date: date | None, today: date) -> str:
    """The status a person sees: an open invoice past its due date is `overdue`."""
    if status in OPEN_STATUSES and due_date is not None and due_date < today:
        return OVERDUE
    return status


def check_dates(issue_date: date, due_date: date | None) -> None:
    if due_date is not None and due_date < issue_date:
        raise ValidationError("The due date cannot be before the issue date.", field="due_date")


def check_editable(kind: str, status: str, changed: set[str]) -> None:
    """Drafts change freely; a sent invoice only in fields that don't move money."""
    if status == DRAFT:
        return
    if status in OPEN_STATUSES and changed <= EDITABLE_WHEN_SENT:
        return
    if status in OPEN_STATUSES:
        field = sorted(changed - EDITABLE_WHEN_SENT)[0]
        raise Conflict(
            f"A sent {kind} can only change {', '.join(sorted(EDITABLE_WHEN_SENT))}.", field=field
        )
    raise Conflict(f"A {status} {kind} can no longer be edited.")


def check_can_send(status: str, line_count: int) -> None:
    if status != DRAFT:
        raise Conflict(f"Only a draft can be marked sent; this one is {status}.")
    if line_count == 0:
        raise Conflict("Add at least one line before sending.", field="lines")


def check_can_share(status: str) -> None:
    if status == DRAFT:
        raise Conflict("A draft cannot be shared; mark it sent first.")
    if status == CANCELLED:
        raise Conflict("A cancelled document cannot be shared.")


def check_can_cancel(status: str, amount_paid: int) -> None:
    if status in (CANCELLED, PAID) or amount_paid > 0:
        raise Conflict("Only unpaid drafts and sent documents can be cancelled.")


def check_can_delete(status: str) -> None:
    if status != DRAFT:
        raise Conflict("Only drafts can be deleted; cancel a sent document instead.")


def status_after_payment(total: int, amount_paid: int) -> str:
    """`paid` once everything is covered, `partial` while something remains."""
    if amount_paid >= total:
        return PAID
    return PARTIAL if amount_paid > 0 else SENT


def check_payment(kind: str, status: str, amount: int, balance: int) -> None:
    """A manual payment must be positive, on an open invoice, and no more than the balance."""
    if kind != INVOICE:
        raise Conflict("Only invoices can be paid.")
    if status not in OPEN_STATUSES:
        raise Conflict(f"A {status} invoice cannot take a payment.")
    if amount <= 0:
        raise ValidationError("The amount must be positive.", field="amount")
    if amount > balance:
        raise ValidationError("The amount is more than the balance due.", field="amount")


def check_quote_decision(kind: str, status: str, requires_terms: bool, accepted_terms: bool, approving: bool) -> None:
    """Only a sent quote can be approved or declined, once; approval may need the terms accepted."""
    if kind != QUOTE:
        raise Conflict("Only quotes are approved or declined.")
    if status in (ACCEPTED, DECLINED):
        raise Conflict(f"This quote was already {status}.")
    if status != SENT:
        raise Conflict(f"A {status} quote cannot be decided on.")
    if approving and requires_terms and not accepted_terms:
        raise ValidationError("Accept the terms to approve this quote.", field="accept_terms")


def document_number(kind: str, sequence: int) -> str:
    return f"{NUMBER_PREFIX[kind]}{sequence:04d}"
