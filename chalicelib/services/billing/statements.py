"""A client's statement of account for a date range, as data and as a PDF.

Reads: the client (GetItem), the client's invoices from their portal index (gsi2
`client_docs_pk`, every page) and their ledger entries from their payments index (gsi2
`client_payments_pk`, every page); the business profile comes from the caller. The
arithmetic is `domain/statements.py`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.domain import invoices as rules
from chalicelib.domain import statements as rules_statements
from chalicelib.domain.errors import NotFound
from chalicelib.domain.money import format_amount
from chalicelib.services.billing import pdfs
from chalicelib.store import documents as docs
from chalicelib.store.businesses import Business
from chalicelib.store.clients import Client, get_client
from chalicelib.store.table import BaseItem


@dataclass(frozen=True)
class Statement:
    client: Client
    period: rules_statements.Period
    pdf: pdfs.Delivery


# Only what a statement prints: a document's lines, addresses and notes are most of its item, and
# turning 5,000 whole documents into objects took longer than the rest of the statement together.
_KEYS = ["pk", "sk", "gsi2pk", "gsi2sk", "type"]
INVOICE_FIELDS = [*_KEYS, "doc_id", "number", "currency", "issue_date", "due_date", "total", "status"]
ENTRY_FIELDS = [*_KEYS, "doc_id", "doc_number", "kind", "amount", "currency", "received_on", "created_at", "method",
                "dispute_status"]


def facts_of(business_id: str, client_id: str) -> tuple[list[rules_statements.InvoiceFact], list[rules_statements.EntryFact]]:
    """Every invoice (not drafts: they are not in the index) and every ledger entry of the client."""
    invoices = [
        rules_statements.InvoiceFact(d.doc_id, d.number, d.currency, d.issue_date, d.due_date, int(d.total),
                                     cancelled=d.status == rules.CANCELLED)
        for d in BaseItem.gsi2.query(docs.client_docs_pk(business_id, client_id, rules.INVOICE),
                                     attributes_to_get=INVOICE_FIELDS)
        if isinstance(d, docs.Document)
    ]
    entries = [
        rules_statements.EntryFact(p.doc_id, p.doc_number, p.kind, int(p.amount), p.currency, p.received_on,
                                   p.created_at, p.method, p.dispute_status)
        for p in BaseItem.gsi2.query(docs.client_payments_pk(business_id, client_id), attributes_to_get=ENTRY_FIELDS)
        if isinstance(p, docs.Payment)
    ]
    return invoices, entries


def statement(business: Business, client_id: str, start_text: str | None, end_text: str | None,
              today: date) -> Statement:
    """The statement of one client of `business` (NotFound for anyone else's), with its PDF."""
    start, end = rules_statements.parse_range(start_text, end_text, today)
    client = get_client(business.business_id, client_id)
    if client is None:
        raise NotFound("Client not found.", field="client_id")
    invoices, entries = facts_of(business.business_id, client_id)
    period = rules_statements.build(invoices, entries, start, end, business.currency)
    return Statement(client, period, pdfs.statement_pdf(business, client, period))


def _money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency, "display": format_amount(amount, currency)}


def present(period: rules_statements.Period) -> dict[str, Any]:
    """The statement as JSON: each currency's opening, lines, closing and ageing."""
    return {
        "from": period.start.isoformat(), "to": period.end.isoformat(),
        "closing": [_money(s.closing, s.currency) for s in period.sections],
        "sections": [{
            "currency": s.currency, "opening": _money(s.opening, s.currency), "closing": _money(s.closing, s.currency),
            "lines": [{"date": line.on, "kind": line.kind, "reference": line.reference, "description": line.description,
                       "due_date": line.due,
                       "debit": line.debit, "credit": line.credit, "balance": line.balance} for line in s.lines],
            "ageing": {bucket: _money(s.ageing[bucket], s.currency) for bucket in rules_statements.BUCKETS},
            "open_total": _money(s.open_total, s.currency),
        } for s in period.sections],
    }
