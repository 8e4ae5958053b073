"""Reading printed figures back from each surface (page, PDF, email, JSON) and checking they add up."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from chalicelib.domain.formatting import money
from chalicelib.domain.money import minor_digits

AMOUNT = re.compile(r"^(−|-)?([^\d\s]*)([\d,]+(?:\.\d+)?)$")


TOTAL_LABELS = re.compile(r"^(Subtotal|Discounts|Tax(?: [\d.]+ %)?|Total|Paid|Balance due)$")


def parse_amount(text: str, currency: str) -> int:
    """`"−€1,234.56"` → -123456, as a reader would take it."""
    match = AMOUNT.match(text.strip())
    assert match, f"not an amount: {text!r}"
    assert match.group(2) == money(0, currency).rstrip("0.,"), text  # "€", "US$": the currency's symbol
    value = int(Decimal(match.group(3).replace(",", "")).scaleb(minor_digits(currency)))
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
            amounts.append(parse_amount(line.split(" ")[-1], currency))  # "€1,234.56": one token
            continue
        match = re.match(r"^(.*?) (−?[^\s\d−]*[\d,.]+)$", line)
        if match and TOTAL_LABELS.match(match.group(1)):
            totals.append((match.group(1), parse_amount(match.group(2), currency)))
    return Printed(amounts, totals)


def parse_localized(text: str, currency: str) -> int:
    """`"−€1,234.56"` (Babel, en_GB, as the emails print money) → -123456."""
    text = text.strip()
    negative = text.startswith(("−", "-"))
    number = re.sub(r"[^\d.]", "", text.replace(",", ""))
    assert number, f"not an amount: {text!r}"
    value = int(Decimal(number).scaleb(minor_digits(currency)))
    return -value if negative else value


def read_email(text: str, currency: str) -> Printed:
    """The totals block of an email's text part: `  Label   €1,234.56` rows."""
    totals = []
    for line in text.splitlines():
        match = re.match(r"^  (\S.*?)\s{2,}(\S+.*\d\S*)$", line)
        if match:
            totals.append((match.group(1).strip(), parse_localized(match.group(2), currency)))
    return Printed(None, totals)


def read_json(body: dict[str, Any]) -> Printed:
    return Printed([line["amount"] for line in body["lines"]],
                   [(r["label"], -r["amount"] if r["sign"] == "-" else r["amount"]) for r in body["rows"]])
