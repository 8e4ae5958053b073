"""An invoice's ledger: its amount paid, refunded and status are recomputed from every entry
(manual payments, Stripe payments, credits, refunds, disputes), so facts that arrive twice,
late or out of order always end in the same state. The write is conditional on the invoice's
version. Every payment path ends here, and here alone moves the invoice's grants."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib import clock, metrics
from chalicelib.domain import invoices as rules
from chalicelib.domain import payments as money_rules
from chalicelib.domain.errors import Conflict
from chalicelib.services.delivery.unlock import invoice_payment_changed
from chalicelib.services.developer import events, payloads
from chalicelib.store import documents as docs
from chalicelib.store.table import conditional, iso


@dataclass(frozen=True)
class Reconciled:
    document: docs.Document
    became_paid: bool  # this call moved it to paid (exactly one concurrent caller sees True)
    overpaid: int


def entries_of(items: Sequence[object]) -> list[money_rules.Entry]:
    return [money_rules.Entry(p.kind, int(p.amount), p.dispute_status) for p in items if isinstance(p, docs.Payment)]


def settlement_of(document: docs.Document, items: Sequence[object]) -> money_rules.Settlement:
    """What the invoice's ledger (the entries among `items`) gives."""
    return money_rules.settle(entries_of(items), int(document.total))


def _stored(document: docs.Document) -> tuple[int, int, int]:
    """The figures the invoice carries: amount paid, refunded, charged back."""
    return int(document.amount_paid), int(document.amount_refunded or 0), int(document.amount_charged_back or 0)


def in_step(document: docs.Document, items: Sequence[object]) -> bool:
    """The invoice's stored figures are what its ledger gives. False only in the moment between
    an entry landing and its reconcile (or if a worker died in between: its redelivery finishes it),
    when a page must not show the entry beside a balance that does not count it yet."""
    settlement = settlement_of(document, items)
    return (settlement.amount_paid, settlement.refunded, settlement.charged_back) == _stored(document)


def balance_of(document: docs.Document, items: Sequence[object]) -> int:
    """What is still due by the ledger (not the stored figures, which an entry whose reconcile
    has not run yet does not count)."""
    return int(document.total) - settlement_of(document, items).amount_paid


def settle_with(document: docs.Document, items: Sequence[object], entry: docs.Payment) -> bool:
    """Put on the invoice the figures and status its ledger gives once `entry` lands, for the write
    that stores the entry to save with it (conditional on the version read): whoever reads the
    invoice after that write sees the balance it left. True if this moved the amount paid."""
    paid_before = int(document.amount_paid)
    _settled(document, settlement_of(document, [*items, entry]))
    return int(document.amount_paid) > paid_before


def _settled(document: docs.Document, settlement: money_rules.Settlement) -> bool:
    """Put the settlement's figures and the status they give on the invoice; False if nothing changed."""
    status = document.status
    if status in (rules.SENT, rules.PARTIAL, rules.PAID):
        status = rules.status_after_payment(int(document.total), settlement.amount_paid)  # cancelled, draft keep theirs
    figures = (settlement.amount_paid, settlement.refunded, settlement.charged_back, status)
    if figures == (*_stored(document), document.status):
        return False
    now = iso(clock.now())
    if status == rules.PAID and document.status != rules.PAID:
        document.paid_at = now
    elif status != rules.PAID:
        document.paid_at = None
    document.amount_paid, document.amount_refunded, document.amount_charged_back, document.status = figures
    document.updated_at = now
    return True


def reconcile(business_id: str, doc_id: str, attempts: int = 5) -> Reconciled | None:
    """Bring the invoice's figures and status in line with its ledger; then its grants."""
    for attempt in range(attempts):
        document, items = docs.load_collection(business_id, doc_id)
        if document is None:
            return None
        was_paid, paid_before = document.status == rules.PAID, int(document.amount_paid)
        settlement = settlement_of(document, items)
        if _settled(document, settlement):
            try:
                conditional(document.save, "The invoice changed at the same time.")
            except Conflict:
                if attempt == attempts - 1:
                    raise
                continue  # someone else wrote in between: read again and recompute
            if settlement.amount_paid > paid_before:
                metrics.count(metrics.PAYMENTS_APPLIED)  # counted by the writer that moved it, once
        invoice_payment_changed(business_id, doc_id)
        became_paid = document.status == rules.PAID and not was_paid
        if became_paid:
            events.emit(business_id, "invoice.paid", payloads.document(document))
        return Reconciled(document, became_paid, settlement.overpaid)
    return None
