"""An invoice's ledger: its amount paid and status are recomputed from every entry (manual
payments, Stripe payments, refunds, disputes), so facts that arrive twice, late or out of
order always end in the same state. The write is conditional on the invoice's version."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.domain import invoices as rules
from chalicelib.domain import payments as money_rules
from chalicelib.domain.errors import Conflict
from chalicelib.services.entitlements import invoice_payment_changed
from chalicelib.store import documents as docs
from chalicelib.store.table import conditional, iso, utcnow


@dataclass(frozen=True)
class Reconciled:
    document: docs.Document
    became_paid: bool  # this call moved it to paid (exactly one concurrent caller sees True)
    overpaid: int


def entries_of(items: Sequence[object]) -> list[money_rules.Entry]:
    return [money_rules.Entry(p.kind, int(p.amount), p.dispute_status) for p in items if isinstance(p, docs.Payment)]


def reconcile(business_id: str, doc_id: str, attempts: int = 5) -> Reconciled | None:
    """Bring the invoice's amount paid and status in line with its ledger; then its grants."""
    for attempt in range(attempts):
        document, items = docs.load_collection(business_id, doc_id)
        if document is None:
            return None
        entries = entries_of(items)
        total = int(document.total)
        paid = money_rules.amount_paid(entries, total)
        status = document.status
        if status in (rules.SENT, rules.PARTIAL, rules.PAID):
            status = rules.status_after_payment(total, paid)  # a cancelled or draft invoice keeps its status
        became_paid = status == rules.PAID and document.status != rules.PAID
        if paid != int(document.amount_paid) or status != document.status:
            now = iso(utcnow())
            document.amount_paid, document.status, document.updated_at = paid, status, now
            document.paid_at = now if status == rules.PAID else None
            try:
                conditional(document.save, "The invoice changed at the same time.")
            except Conflict:
                if attempt == attempts - 1:
                    raise
                continue  # someone else wrote in between: read again and recompute
        invoice_payment_changed(business_id, doc_id)
        return Reconciled(document, became_paid, money_rules.overpaid(entries, total))
    return None
