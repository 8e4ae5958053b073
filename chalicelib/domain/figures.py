"""The figures of an invoice or quote, defined once for every surface that prints them.

The client page, the portal, the PDF, the emails, the staff JSON and the dashboard all print
these values and nothing else, so what they print always adds up:

    line amount = quantity × unit price            (before discount and tax)
    subtotal    = Σ line amounts
    total       = subtotal − discounts + Σ tax per rate
    balance     = total − paid

Discount and tax are rounded half-up per line (`invoices.line_totals`); the discounts and the
tax per rate are sums of those rounded line figures, so no figure is ever re-rounded.
The dashboard's live preview runs the same rule (`static/app/rules.js`); both are checked
against `tests/cases/money.json`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.formatting import DEFAULT_LOCALE, percent
from chalicelib.domain.invoices import Line, line_totals
from chalicelib.domain.money import MAX_AMOUNT, percent_text


@dataclass(frozen=True)
class LineFigures:
    amount: int  # quantity × unit price, before discount and tax
    discount: int
    net: int  # amount − discount: what the tax is charged on
    tax_rate_bp: int
    tax: int


@dataclass(frozen=True)
class TaxFigure:
    rate_bp: int
    amount: int  # the tax of every line at this rate


@dataclass(frozen=True)
class InvoiceFigures:
    lines: tuple[LineFigures, ...]
    subtotal: int  # Σ line amounts (before discounts)
    discount: int
    taxes: tuple[TaxFigure, ...]  # per rate, lowest rate first; 0 % lines are not a tax
    tax: int
    total: int
    paid: int
    balance: int


@dataclass(frozen=True)
class Row:
    """One printed row of the totals block. `sign` says how it enters the sum: `+`, `-`, or `=`
    for a result (total, balance), so a reader (or a test) can add the rows up."""

    key: str  # subtotal | discount | tax | total | paid | balance
    label: str
    amount: int
    sign: str
    rate_bp: int | None = None


def invoice_figures(lines: Sequence[Line], paid: int = 0) -> InvoiceFigures:
    """Every figure of a document from its lines and what has been paid (the document's `amount_paid`)."""
    parts = tuple(
        LineFigures(amount=t.gross, discount=t.discount, net=t.net, tax_rate_bp=line.tax_rate_bp, tax=t.tax)
        for line, t in ((line, line_totals(line)) for line in lines)
    )
    by_rate: dict[int, int] = {}
    for p in parts:
        if p.tax_rate_bp:
            by_rate[p.tax_rate_bp] = by_rate.get(p.tax_rate_bp, 0) + p.tax
    subtotal = sum(p.amount for p in parts)
    discount = sum(p.discount for p in parts)
    tax = sum(p.tax for p in parts)
    total = subtotal - discount + tax
    if total > MAX_AMOUNT:
        raise ValidationError("The invoice total is too large.", field="lines")
    return InvoiceFigures(
        lines=parts, subtotal=subtotal, discount=discount,
        taxes=tuple(TaxFigure(rate, amount) for rate, amount in sorted(by_rate.items())),
        tax=tax, total=total, paid=paid, balance=total - paid,
    )


def tax_label(rate_bp: int, locale: str = DEFAULT_LOCALE) -> str:
    """A tax row's label, its rate a number of the locale: "Tax 19.5 %", "Tax 19,5 %" (de_DE)."""
    return f"Tax {percent(percent_text(rate_bp), locale)}"


def rows(figures: InvoiceFigures, with_paid: bool = True, locale: str = DEFAULT_LOCALE) -> list[Row]:
    """The totals block, top to bottom, as every surface prints it.

    Discounts and paid are left out when nothing was taken off; with several tax rates each
    rate is its own row (and there is no separate tax sum, so nothing is counted twice)."""
    out = [Row("subtotal", "Subtotal", figures.subtotal, "+")]
    if figures.discount:
        out.append(Row("discount", "Discounts", figures.discount, "-"))
    if figures.taxes:
        out += [Row("tax", tax_label(t.rate_bp, locale), t.amount, "+", t.rate_bp) for t in figures.taxes]
    else:
        out.append(Row("tax", "Tax", 0, "+"))
    out.append(Row("total", "Total", figures.total, "="))
    if with_paid:
        if figures.paid:
            out.append(Row("paid", "Paid", figures.paid, "-"))
        out.append(Row("balance", "Balance due", figures.balance, "="))
    return out
