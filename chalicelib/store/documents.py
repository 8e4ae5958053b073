"""Invoices and quotes ("documents"): one item collection per document.

`DOC#{bid}#{did}` holds `META` (the document with its lines embedded, so every edit
is one conditional write), its ledger (`PAY#…`: manual payments, and Stripe payments,
refunds and disputes keyed by Stripe's ids), the Checkout Sessions it created
(`CHECKOUT#…`) and the grants that hang on it (`GRANT#…`).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)

from chalicelib.domain import invoices as rules
from chalicelib.domain.figures import InvoiceFigures, invoice_figures
from chalicelib.store.table import BaseItem, index_page

if TYPE_CHECKING:
    from chalicelib.store.recurring import Template


class LineMap(MapAttribute[str, object]):
    description = UnicodeAttribute()
    quantity = UnicodeAttribute()  # a Decimal, kept exact as text
    unit_price = NumberAttribute()
    tax_rate_bp = NumberAttribute(default=0)
    discount_bp = NumberAttribute(default=0)
    product_id = UnicodeAttribute(null=True)
    net = NumberAttribute()
    tax = NumberAttribute()


class BillTo(MapAttribute[str, object]):
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    tax_number = UnicodeAttribute(null=True)


class Document(BaseItem, discriminator="document"):
    doc_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # invoice | quote
    number = UnicodeAttribute()
    status = UnicodeAttribute()
    client_id = UnicodeAttribute()
    bill_to = BillTo()
    currency = UnicodeAttribute()
    issue_date = UnicodeAttribute()
    due_date = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    terms = UnicodeAttribute(null=True)
    po_number = UnicodeAttribute(null=True)
    lines = ListAttribute(of=LineMap, default=list)
    subtotal = NumberAttribute(default=0)
    discount_total = NumberAttribute(default=0)
    tax_total = NumberAttribute(default=0)
    total = NumberAttribute(default=0)
    amount_paid = NumberAttribute(default=0)
    amount_refunded = NumberAttribute(default=0)  # of amount_paid, given back (payments.settle)
    amount_charged_back = NumberAttribute(default=0)  # taken back by lost disputes
    # Quotes: the client's decision, and the invoice an approved quote became.
    decided_at = UnicodeAttribute(null=True)
    decided_by_name = UnicodeAttribute(null=True)
    decline_reason = UnicodeAttribute(null=True)
    converted_invoice_id = UnicodeAttribute(null=True)
    quote_id = UnicodeAttribute(null=True)  # on an invoice made from a quote
    recurring_id = UnicodeAttribute(null=True)  # on an invoice a recurring template produced
    auto_charge = BooleanAttribute(default=False)  # charge the client's saved card when it is sent
    project_id = UnicodeAttribute(null=True)  # on an invoice billed through a project's milestone
    # Online payment terms, and which Checkout attempt a new Pay click belongs to.
    allow_partial = BooleanAttribute(default=False)
    minimum_partial = NumberAttribute(default=0)
    checkout_attempt = NumberAttribute(default=0)
    # The live share link, for staff to copy again. Public lookups go through the
    # token item, keyed by the SHA-256 of this value; client responses never include it.
    share_token = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    sent_at = UnicodeAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    cancelled_at = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @property
    def balance(self) -> int:
        return int(self.total) - int(self.amount_paid)

    def figures(self) -> InvoiceFigures:
        """What every surface prints: recomputed from the lines by the one rule (domain/figures.py)
        rather than read from the stored sums, whose `subtotal` meant "after discount" on items
        written before that rule; `paid` is the document's `amount_paid`."""
        lines = [rules.Line(description=str(line.description), quantity=Decimal(str(line.quantity)),
                            unit_price=int(line.unit_price), tax_rate_bp=int(line.tax_rate_bp or 0),
                            discount_bp=int(line.discount_bp or 0)) for line in self.lines or []]
        return invoice_figures(lines, int(self.amount_paid or 0))

    def serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        # Every write (save, or a transaction's put) keeps the client's portal index in step
        # with the document's client and status.
        self.gsi2pk, self.gsi2sk = portal_keys(self)
        self.gsi3pk, self.gsi3sk = agenda_keys(self)
        return super().serialize(null_check=null_check)


def agenda_keys(document: Document) -> tuple[str | None, str | None]:
    """The scheduler's agenda (gsi3): an open invoice with a due date, under that date. Paying,
    cancelling or clearing the due date takes it out on the same write."""
    if document.kind != rules.INVOICE or document.status not in rules.OPEN_STATUSES or not document.due_date:
        return None, None
    return due_pk(document.due_date), f"{document.business_id}#{document.doc_id}"


def due_pk(day: str) -> str:
    return f"DUE#{day}"


class ReminderSent(BaseItem, discriminator="reminder"):
    """A payment reminder step sent for an invoice (`REMINDER#{due date}#{step}` in its
    collection), written with a condition before the email goes: a step is sent once per due
    date, however often or concurrently the scheduler runs. A new due date re-arms the steps."""

    doc_id = UnicodeAttribute()
    step = UnicodeAttribute()
    due_date = UnicodeAttribute()
    sent_at = UnicodeAttribute()


def reminder_sk(due_date: str, step: str) -> str:
    return f"REMINDER#{due_date}#{step}"


def portal_keys(document: Document) -> tuple[str | None, str | None]:
    """The client's portal list (gsi2): open documents first by due date, then the rest newest first.
    Drafts are not in it: clients never see them."""
    if document.status == rules.DRAFT:
        return None, None
    pk = client_docs_pk(document.business_id, document.client_id, document.kind)
    if document.status in rules.OPEN_STATUSES:
        return pk, f"0#{document.due_date or '9999-12-31'}#{document.doc_id}"
    created_ms = int(datetime.fromisoformat(document.created_at.replace("Z", "+00:00")).timestamp() * 1000)
    return pk, f"1#{10**13 - created_ms:013d}#{document.doc_id}"


def client_docs_pk(business_id: str, client_id: str, kind: str) -> str:
    return f"BIZ#{business_id}#CLIENT#{client_id}#{kind.upper()}S"


def client_payments_pk(business_id: str, client_id: str) -> str:
    return f"BIZ#{business_id}#CLIENT#{client_id}#PAYMENTS"


class Payment(BaseItem, discriminator="payment"):
    """One ledger entry of an invoice: a payment, a refund or a dispute (amounts positive)."""

    payment_id = UnicodeAttribute()
    doc_id = UnicodeAttribute()
    doc_number = UnicodeAttribute(null=True)  # the invoice it was applied to, for the client's history
    client_id = UnicodeAttribute(null=True)
    kind = UnicodeAttribute(default="payment")  # payment | refund | dispute
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    method = UnicodeAttribute()  # manual methods (bank_transfer, cash, …) or stripe
    reference = UnicodeAttribute(null=True)
    recorded_by = UnicodeAttribute(null=True)
    received_on = UnicodeAttribute()
    created_at = UnicodeAttribute()
    # Stripe entries: the objects they come from, and a dispute's outcome.
    stripe_payment_intent = UnicodeAttribute(null=True)
    stripe_checkout_session = UnicodeAttribute(null=True)
    dispute_status = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


class CheckoutSession(BaseItem, discriminator="checkout"):
    """A Checkout Session Paydrop created for an invoice. Webhooks must match one of these:
    metadata pointing at an invoice that never asked for that session is not applied."""

    session_id = UnicodeAttribute()
    doc_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    attempt = NumberAttribute()
    url = UnicodeAttribute()
    return_url = UnicodeAttribute(null=True)  # the page the client paid from (invoice page or portal)
    status = UnicodeAttribute(default="open")  # open | complete | expired | failed
    offline = BooleanAttribute(default=False)  # the local test-mode checkout
    save_card_for = UnicodeAttribute(null=True)  # the Stripe customer that keeps the card ("save this card")
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


def stripe_entry_sk(key: str) -> str:
    """Stripe entries have keys made from Stripe's ids: the same fact twice is the same item."""
    return f"PAY#stripe#{key}"


def checkout_sk(session_id: str) -> str:
    return f"CHECKOUT#{session_id}"


def doc_pk(business_id: str, doc_id: str) -> str:
    return f"DOC#{business_id}#{doc_id}"


def list_pk(business_id: str, kind: str) -> str:
    return f"BIZ#{business_id}#{kind.upper()}"


def new_document(business_id: str, doc_id: str, kind: str, created_at: str, **fields: Any) -> Document:
    return Document(
        doc_pk(business_id, doc_id), "META",
        gsi1pk=list_pk(business_id, kind), gsi1sk=f"{created_at}#{doc_id}",
        doc_id=doc_id, business_id=business_id, kind=kind, created_at=created_at, **fields,
    )


def content_of(source: Document | Template) -> dict[str, Any]:
    """What an invoice says (whom it bills, its lines and sums, notes, terms, PO number), as the
    invoice a quote or a recurring template becomes, or the template repeating an invoice, copies it."""
    return dict(bill_to=source.bill_to, currency=source.currency, lines=list(source.lines), subtotal=source.subtotal,
                discount_total=source.discount_total, tax_total=source.tax_total, total=source.total,
                notes=source.notes, terms=source.terms, po_number=source.po_number)


def new_payment(document: Document, payment_id: str, created_at: str, **fields: Any) -> Payment:
    return _entry(document, f"PAY#{created_at}#{payment_id}", payment_id, created_at, **fields)


def new_stripe_entry(document: Document, key: str, created_at: str, **fields: Any) -> Payment:
    return _entry(document, stripe_entry_sk(key), key, created_at, updated_at=created_at, **fields)


def new_credit_entry(document: Document, application_id: str, created_at: str, **fields: Any) -> Payment:
    """Credit applied to the invoice: keyed by the application, so one never lands twice."""
    return _entry(document, f"PAY#credit#{application_id}", application_id, created_at, updated_at=created_at, **fields)


def _entry(document: Document, sk: str, payment_id: str, created_at: str, **fields: Any) -> Payment:
    """A ledger entry, listed per business (gsi1) and in the client's payment history (gsi2)."""
    return Payment(
        document.pk, sk,
        gsi1pk=payments_list_pk(document.business_id), gsi1sk=f"{created_at}#{payment_id}",
        gsi2pk=client_payments_pk(document.business_id, document.client_id), gsi2sk=f"{created_at}#{payment_id}",
        payment_id=payment_id, doc_id=document.doc_id, doc_number=document.number, client_id=document.client_id,
        created_at=created_at, **fields,
    )


def payments_list_pk(business_id: str) -> str:
    return f"BIZ#{business_id}#PAYMENTS"


def list_payments(business_id: str, limit: int, cursor: str | None) -> tuple[list[Payment], str | None]:
    """A page of the business's ledger entries (payments, refunds, disputes), newest first."""
    return index_page(Payment, "gsi1", payments_list_pk(business_id), limit, cursor, newest_first=True)


def get_document(business_id: str, doc_id: str) -> Document | None:
    try:
        return Document.get(doc_pk(business_id, doc_id), "META", consistent_read=True)
    except Document.DoesNotExist:
        return None


def load_collection(business_id: str, doc_id: str) -> tuple[Document | None, list[BaseItem]]:
    """The document and everything stored with it, in one Query."""
    items = list(BaseItem.query(doc_pk(business_id, doc_id), consistent_read=True))
    document = next((i for i in items if isinstance(i, Document)), None)
    return document, [i for i in items if not isinstance(i, Document)]


def list_documents(
    business_id: str, kind: str, limit: int, cursor: str | None, status: str | None = None
) -> tuple[list[Document], str | None]:
    """A page of a business's invoices or quotes, newest first."""
    return index_page(Document, "gsi1", list_pk(business_id, kind), limit, cursor, newest_first=True,
                      filter_condition=(Document.status == status) if status else None)


def list_overdue(business_id: str, kind: str, limit: int, cursor: str | None, today: str) -> tuple[list[Document], str | None]:
    """A page of the business's open documents due before `today`, newest first (a filter on the
    business's list: a page may hold fewer than `limit`, its cursor goes on)."""
    overdue = Document.status.is_in(*rules.OPEN_STATUSES) & (Document.due_date < today)
    return index_page(Document, "gsi1", list_pk(business_id, kind), limit, cursor, newest_first=True,
                      filter_condition=overdue)


class AutoCharge(BaseItem, discriminator="autocharge"):
    """Charging the client's saved card for this invoice (`AUTOCHARGE` in its collection). The
    attempt number is claimed with a conditional write before Stripe is called, and is part of
    the PaymentIntent's idempotency key: a retried or concurrent run never charges twice."""

    doc_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    attempt = NumberAttribute(default=0)
    state = UnicodeAttribute()  # charging | submitted | failed | paid
    claimed_at = UnicodeAttribute()
    amount = NumberAttribute(default=0)
    payment_intent = UnicodeAttribute(null=True)
    failure_code = UnicodeAttribute(null=True)  # authentication_required, card_declined, no_saved_card, …
    failure_reason = UnicodeAttribute(null=True)  # in words, for staff
    updated_at = UnicodeAttribute()


AUTOCHARGE_SK = "AUTOCHARGE"


def get_autocharge(business_id: str, doc_id: str) -> AutoCharge | None:
    try:
        return AutoCharge.get(doc_pk(business_id, doc_id), AUTOCHARGE_SK, consistent_read=True)
    except AutoCharge.DoesNotExist:
        return None
