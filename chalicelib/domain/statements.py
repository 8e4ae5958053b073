"""A client's statement of account: pure arithmetic over the facts the caller read.

For a date range [start, end], per currency: the opening balance (everything dated before
`start`), every invoice issued (a debit) and every ledger entry that moves money (payments
and applied credit are credits; a lost dispute is a debit; a refund is a debit and, for the
part that returns the invoice's own money, a credit too, since it is no longer owed) in date
order with a running balance, the closing balance, and the ageing of the invoices still open
at `end` by days past their due date. Cancelled invoices were never owed and are left out;
`unapplied` money (another currency, a cancelled invoice) never counted toward an invoice,
nor does an open or won dispute or an inquiry.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from chalicelib.domain import payments as pay_rules
from chalicelib.domain.errors import ValidationError

MAX_YEARS = 5
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
_ENTRY_WORDS = {pay_rules.PAYMENT: "Payment", pay_rules.CREDIT: "Credit applied", pay_rules.REFUND: "Refund",
                pay_rules.DISPUTE: "Disputed payment"}


@dataclass(frozen=True)
class InvoiceFact:
    doc_id: str
    number: str
    currency: str
    issue_date: str  # YYYY-MM-DD
    due_date: str | None
    total: int
    cancelled: bool = False


@dataclass(frozen=True)
class EntryFact:
    """One ledger entry of one of the client's invoices (amount positive, as stored)."""

    doc_id: str
    doc_number: str | None
    kind: str
    amount: int
    currency: str
    received_on: str  # YYYY-MM-DD
    created_at: str = ""
    method: str | None = None
    dispute_status: str | None = None


@dataclass(frozen=True)
class StatementLine:
    on: str
    kind: str  # invoice | payment | credit | refund | dispute
    reference: str  # the invoice number
    description: str
    debit: int
    credit: int
    balance: int  # running, after this line
    due: str | None = None  # an invoice's due date (ISO): printed next to its description, by locale


@dataclass(frozen=True)
class Section:
    """The statement in one currency."""

    currency: str
    opening: int
    lines: list[StatementLine]
    closing: int
    ageing: dict[str, int]  # bucket → open amount at `end`
    open_total: int  # the sum of the ageing buckets


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    sections: list[Section] = field(default_factory=list)


def this_year(today: date) -> tuple[date, date]:
    """The range a statement form starts with: 1 January of this year to today."""
    return today.replace(month=1, day=1), today


def parse_range(start_text: str | None, end_text: str | None, today: date) -> tuple[date, date]:
    """`from`/`to` as YYYY-MM-DD: `to` defaults to today, `from` to 1 January of `to`'s year (the
    forms' default: this year so far); from ≤ to, at most 5 years apart. Anything else is a
    ValidationError naming the field."""
    end = _parse_day(end_text, "to") if end_text else today
    start = _parse_day(start_text, "from") if start_text else end.replace(month=1, day=1)
    if start > end:
        raise ValidationError("The start date must be on or before the end date.", field="from")
    if start < _years_before(end, MAX_YEARS):
        raise ValidationError(f"A statement covers at most {MAX_YEARS} years.", field="from")
    return start, end


def _parse_day(text: str, name: str) -> date:
    if not _DATE.match(text):
        raise ValidationError(f"{name.capitalize()} must be a date like 2026-01-31.", field=name)
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise ValidationError(f"{name.capitalize()} is not a real date.", field=name) from e


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year - years, day=28)



def effect(entry: EntryFact) -> int:
    """What the entry counts toward its invoice (negative: takes back). Refunds count nothing
    here: they are settled apart (`moves`), like the invoice's own `settle`."""
    return pay_rules.received(pay_rules.Entry(entry.kind, entry.amount, entry.dispute_status))


def moves(entries: Iterable[EntryFact], totals: dict[str, int]) -> list[tuple[EntryFact, int, int]]:
    """Each entry that moves money, with its (debit, credit) on the client's account.

    A refund is money handed back (a debit), and the part of it that returns the invoice's own
    money is also no longer owed (a credit of that part), so only a refund of an overpayment
    moves the balance — the same rule as the invoice's own figures (`payments.settle`).
    """
    received: dict[str, int] = {}
    refunded: dict[str, int] = {}
    out: list[tuple[EntryFact, int, int]] = []
    for e in sorted(entries, key=lambda x: (x.received_on, x.created_at)):
        moved = effect(e)
        received[e.doc_id] = received.get(e.doc_id, 0) + moved
        if e.kind == pay_rules.REFUND:
            excess = max(0, received[e.doc_id] - totals.get(e.doc_id, 0) - refunded.get(e.doc_id, 0))
            refunded[e.doc_id] = refunded.get(e.doc_id, 0) + e.amount
            out.append((e, e.amount, e.amount - min(e.amount, excess)))
        elif moved:
            out.append((e, max(0, -moved), max(0, moved)))
    return out


def bucket_of(days_past_due: int) -> str:
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1-30"
    if days_past_due <= 60:
        return "31-60"
    if days_past_due <= 90:
        return "61-90"
    return "90+"


def build(invoices: Iterable[InvoiceFact], entries: Iterable[EntryFact], start: date, end: date,
          default_currency: str) -> Period:
    """The statement for [start, end], one section per currency the client has anything in
    (the business's currency alone when there is nothing)."""
    owed = [i for i in invoices if not i.cancelled]
    moving = [e for e in entries if effect(e) != 0 or e.kind == pay_rules.REFUND]
    currencies = sorted({i.currency for i in owed} | {e.currency for e in moving}) or [default_currency]
    return Period(start, end, [_section(c, [i for i in owed if i.currency == c], [e for e in moving if e.currency == c],
                                        start, end) for c in currencies])


def _section(currency: str, invoices: list[InvoiceFact], entries: list[EntryFact], start: date, end: date) -> Section:
    first, last = start.isoformat(), end.isoformat()
    moved = moves(entries, {i.doc_id: i.total for i in invoices})
    opening = (sum(i.total for i in invoices if i.issue_date < first)
               + sum(debit - credit for e, debit, credit in moved if e.received_on < first))
    dated: list[tuple[tuple[str, int, str, str], StatementLine]] = []
    for i in invoices:
        if first <= i.issue_date <= last:
            dated.append(((i.issue_date, 0, i.issue_date, i.number),
                          StatementLine(i.issue_date, "invoice", i.number, f"Invoice {i.number}", i.total, 0, 0,
                                        i.due_date or None)))
    for e, debit, credit in moved:
        if first <= e.received_on <= last:
            words = _ENTRY_WORDS.get(e.kind, e.kind)
            if e.kind == pay_rules.DISPUTE:
                words += f" ({e.dispute_status})"
            elif e.kind == pay_rules.PAYMENT and e.method:
                words += f" ({'card' if e.method == 'stripe' else e.method.replace('_', ' ')})"
            reference = e.doc_number or ""
            dated.append(((e.received_on, 1, e.created_at, e.doc_id),
                          StatementLine(e.received_on, e.kind, reference, f"{words}, {reference}" if reference else words,
                                        debit, credit, 0)))
    lines: list[StatementLine] = []
    running = opening
    for _, line in sorted(dated, key=lambda pair: pair[0]):
        running += line.debit - line.credit
        lines.append(StatementLine(line.on, line.kind, line.reference, line.description, line.debit, line.credit, running,
                                   line.due))
    ageing = ageing_at(invoices, entries, end)
    return Section(currency, opening, lines, running, ageing, sum(ageing.values()))


def ageing_at(invoices: list[InvoiceFact], entries: list[EntryFact], end: date) -> dict[str, int]:
    """What each invoice issued by `end` still owed at `end` (its ledger up to then, kept within
    [0, total] like the invoice's own balance), by days past its due date (no due date: due on issue)."""
    last = end.isoformat()
    paid: dict[str, int] = {}
    for e in entries:
        if e.received_on <= last:
            paid[e.doc_id] = paid.get(e.doc_id, 0) + effect(e)
    buckets = dict.fromkeys(BUCKETS, 0)
    for i in invoices:
        if i.issue_date > last:
            continue
        open_amount = i.total - max(0, min(i.total, paid.get(i.doc_id, 0)))
        if open_amount <= 0:
            continue
        due = date.fromisoformat(i.due_date or i.issue_date)
        buckets[bucket_of((end - due).days)] += open_amount
    return buckets
