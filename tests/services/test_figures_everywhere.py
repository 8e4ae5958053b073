"""Every surface prints figures that add up, and the same figures.

For generated invoices (discounts, several tax rates, decimal quantities, zero- and
three-decimal currencies, part payments) this renders the client page, the portal's document
page, the PDF (text read back with pypdfium2), the staff JSON and the invoice email, reads the
PRINTED figures back as a person would, and checks: line amounts → subtotal → − discounts →
+ tax → total → − paid → balance. Before, the subtotal was printed after the discounts and then
the discounts were taken off again (Subtotal 873.15, Discounts −23.75, Tax 104.70, Total 977.85),
and the dashboard's line "Amount" included tax while the page's did not.

The documents are built in memory exactly as the service stores them (`_apply_lines`), so one
example costs a page render and a PDF render and no AWS call; tests/api/test_figures_api.py
drives the same checks through the real routes once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.api import present
from chalicelib.api.html import _environment
from chalicelib.domain import invoices as rules
from chalicelib.domain.money import minor_digits
from chalicelib.services.billing.documents import _apply_lines
from chalicelib.services.billing.invoice_emails import invoice_email_text
from chalicelib.services.billing.pdfs import document_content, render_document
from chalicelib.services.portal.share_page import public_view
from chalicelib.store.businesses import Business
from chalicelib.store.documents import BillTo, Document, new_document

TODAY = date(2026, 3, 1)
NOW = "2026-03-01T00:00:00.000Z"
EXAMPLES = 100  # each renders a page, a portal page and a PDF: ~50 ms
AMOUNT = re.compile(r"^(−|-)?([\d,]+(?:\.\d+)?) ([A-Z]{3})$")
TOTAL_LABELS = re.compile(r"^(Subtotal|Discounts|Tax(?: [\d.]+ %)?|Total|Paid|Balance due)$")


# --- reading what is printed ------------------------------------------------------------


def parse_amount(text: str, currency: str) -> int:
    """`"−1,234.56 EUR"` → -123456, as a reader would take it."""
    match = AMOUNT.match(text.strip())
    assert match, f"not an amount: {text!r}"
    assert match.group(3) == currency, text
    value = int(Decimal(match.group(2).replace(",", "")).scaleb(minor_digits(currency)))
    return -value if match.group(1) else value


@dataclass
class Printed:
    line_amounts: list[int] | None  # None: the surface prints no lines (the email)
    totals: list[tuple[str, int]]  # (label, signed amount) top to bottom


def check_adds_up(printed: Printed, surface: str) -> dict[str, int]:
    """lines → subtotal → − discounts → + tax → total → − paid → balance, as printed."""
    labels = [label for label, _ in printed.totals]
    assert labels[0] == "Subtotal" and "Total" in labels, (surface, labels)
    values = dict(printed.totals)
    if printed.line_amounts is not None:
        assert sum(printed.line_amounts) == values["Subtotal"], (surface, printed)
    running = 0
    for label, amount in printed.totals:
        if label in ("Total", "Balance due"):
            assert amount == running, (surface, label, amount, running, printed.totals)
        else:
            running += amount  # discounts and paid are printed with a minus sign
    return {"subtotal": values["Subtotal"], "total": values["Total"], "balance": values.get("Balance due", 0),
            "discount": -values.get("Discounts", 0), "paid": -values.get("Paid", 0),
            "tax": sum(v for k, v in printed.totals if k.startswith("Tax"))}


class _PageReader(HTMLParser):
    """The line amounts (the table's last column) and the totals block of invoice.html."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.totals: list[list[str]] = []
        self._in_amount = self._in_totals = False
        self._depth = 0
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "td" and (a.get("data-label") or "").startswith("Amount"):
            self._in_amount, self._text = True, []
        if tag == "div" and a.get("data-testid") == "totals":
            self._in_totals, self._depth = True, 0
        elif self._in_totals and tag == "div":
            self._depth += 1
            self.totals.append([])
        elif self._in_totals and tag == "span":
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._in_amount:
            self.cells.append("".join(self._text).strip())
            self._in_amount = False
        elif self._in_totals and tag == "span":
            self.totals[-1].append("".join(self._text).strip())
        elif self._in_totals and tag == "div":
            if self._depth == 0:
                self._in_totals = False
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def read_page(html: str, currency: str) -> Printed:
    reader = _PageReader()
    reader.feed(html)
    # A cancelled invoice prints "Cancelled: nothing to pay" where the balance would be.
    return Printed([parse_amount(c, currency) for c in reader.cells],
                   [(label, parse_amount(value, currency)) for label, value in reader.totals if label != "Cancelled"])


def read_pdf(data: bytes, currency: str) -> Printed:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\xa0", " ").split("\n")]
    amounts, totals = [], []
    for line in lines:
        if re.match(r"^Item \d+ ", line):  # a line of the table: its last column is the amount
            amounts.append(parse_amount(" ".join(line.split(" ")[-2:]), currency))
            continue
        match = re.match(r"^(.*?) (−?[\d,.]+ [A-Z]{3})$", line)
        if match and TOTAL_LABELS.match(match.group(1)):
            totals.append((match.group(1), parse_amount(match.group(2), currency)))
    return Printed(amounts, totals)


def read_email(text: str, currency: str) -> Printed:
    totals = []
    for line in text.splitlines():
        match = re.match(r"^  (.*?)\s{2,}(−?[\d,.]+ [A-Z]{3})$", line)
        if match:
            totals.append((match.group(1).strip(), parse_amount(match.group(2), currency)))
    return Printed(None, totals)


def read_json(body: dict[str, Any]) -> Printed:
    return Printed([line["amount"] for line in body["lines"]],
                   [(r["label"], -r["amount"] if r["sign"] == "-" else r["amount"]) for r in body["rows"]])


# --- generated invoices -----------------------------------------------------------------


CURRENCIES = ("EUR", "JPY", "KWD", "USD")
RATES = (0, 500, 700, 1900, 2000, 2050)


@st.composite
def invoices(draw: st.DrawFn) -> tuple[Business, Document]:
    currency = draw(st.sampled_from(CURRENCIES))
    lines = [
        rules.Line(
            description=f"Item {n + 1}",
            quantity=draw(st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(500), places=4)).normalize(),
            unit_price=draw(st.integers(min_value=0, max_value=2_000_000)),
            tax_rate_bp=draw(st.sampled_from(RATES)),
            discount_bp=draw(st.one_of(st.just(0), st.integers(min_value=0, max_value=10_000))),
        )
        for n in range(draw(st.integers(min_value=1, max_value=6)))
    ]
    kind = draw(st.sampled_from((rules.INVOICE, rules.INVOICE, rules.QUOTE)))
    document = new_document("biz", "doc", kind, NOW, number="INV-0042", status=rules.SENT, client_id="cli",
                            bill_to=BillTo(name="Acme Ltd"), currency=currency, issue_date="2026-02-01",
                            due_date="2026-04-01", updated_at=NOW, version=1)
    _apply_lines(document, lines)
    if kind == rules.QUOTE:
        return business_of(currency), document
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        document.status = rules.CANCELLED  # unpaid: prints "nothing to pay" instead of a balance
        return business_of(currency), document
    paid = draw(st.integers(min_value=0, max_value=int(document.total)))
    document.amount_paid = paid
    document.status = rules.status_after_payment(int(document.total), paid)
    return business_of(currency), document


def business_of(currency: str) -> Business:
    return Business("BIZ#biz", "PROFILE", business_id="biz", name="Northwind Studio", currency=currency,
                    brand_color="#ffd54f", accent_color="#f2f5fa", created_at=NOW, updated_at=NOW)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invoices())
def test_every_surface_prints_figures_that_add_up_and_agree(example: tuple[Business, Document]) -> None:
    business, document = example
    currency = document.currency
    view = public_view(business, document, [], TODAY)
    template = _environment().get_template("invoice.html")
    page = read_page(template.render(nonce="n", **view), currency)
    portal = read_page(template.render(nonce="n", **view, label="Invoice", back_url="/portal/me"), currency)
    pdf = read_pdf(render_document(document_content(view, document.kind)), currency)
    staff = read_json(present.document(document, TODAY))
    surfaces = [("page", page), ("portal", portal), ("pdf", pdf), ("json", staff)]
    if document.kind == rules.INVOICE:  # quotes are not emailed with figures
        surfaces.append(("email", read_email(invoice_email_text(business.name, document, "https://x.test/i"), currency)))

    figures = {surface: check_adds_up(printed, surface) for surface, printed in surfaces}
    if document.status == rules.CANCELLED:  # the JSON keeps the balance; the client sees "nothing to pay"
        figures = {k: {**f, "balance": 0} for k, f in figures.items()}
    # one definition: every surface prints the very same numbers, and the ones payments use
    assert all(f == figures["page"] for f in figures.values()), figures
    assert page.line_amounts == pdf.line_amounts == staff.line_amounts
    assert figures["page"]["total"] == int(document.total)
    assert figures["page"]["paid"] == int(document.amount_paid)
    if document.kind == rules.INVOICE and document.status != rules.CANCELLED:
        assert figures["page"]["balance"] == document.balance
