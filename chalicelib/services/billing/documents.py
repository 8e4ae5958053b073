"""Invoices and quotes: create, edit, send, take manual payments, cancel, delete."""
from __future__ import annotations

from datetime import date, timedelta

from chalicelib import clock, metrics
from chalicelib.domain import formatting
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict, NotFound, ValidationError
from chalicelib.domain.figures import invoice_figures
from chalicelib.domain.inputs import DocumentInput, DocumentUpdate, LineInput, PaymentInput
from chalicelib.domain.money import is_currency
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import new_id
from chalicelib.services.accounts.businesses import business_of
from chalicelib.services.billing.ledger import balance_of, reconcile, settle_with, settlement_of
from chalicelib.services.delivery.unlock import invoice_payment_changed, offer_products
from chalicelib.services.developer import events, payloads
from chalicelib.services.notifications.activity import CLIENT, Activity, record
from chalicelib.services.payments.checkout import expire_open_sessions
from chalicelib.store import documents as store
from chalicelib.store.businesses import next_number
from chalicelib.store.clients import Client, get_client
from chalicelib.store.products import get_products
from chalicelib.store.table import BaseItem, conditional, iso, transaction


def _client(principal: Principal, client_id: str) -> Client:
    client = get_client(principal.business_id, client_id)
    if client is None:
        raise NotFound("Client not found.", field="client_id")
    return client


def _bill_to(client: Client) -> store.BillTo:
    return store.BillTo(
        name=client.name, email=client.email, address=client.address, tax_number=client.tax_number
    )


def build_lines(principal: Principal, lines_in: list[LineInput]) -> list[rules.Line]:
    """Domain lines from input lines; product lines take name, price and tax from the product."""
    wanted = {line.product_id for line in lines_in if line.product_id}
    products = get_products(principal.business_id, wanted)
    lines = []
    for index, given in enumerate(lines_in):
        field = f"lines[{index}]"
        product = products.get(given.product_id) if given.product_id else None
        if given.product_id and product is None:
            raise NotFound("Product not found.", field=f"{field}.product_id")
        description = given.description if given.description is not None else (product.name if product else None)
        unit_price = given.unit_price if given.unit_price is not None else (product.unit_price if product else None)
        if not description:
            raise ValidationError("A line needs a description or a product.", field=f"{field}.description")
        if unit_price is None:
            raise ValidationError("A line needs a unit price or a product.", field=f"{field}.unit_price")
        rules.check_quantity(given.quantity, f"{field}.quantity")
        tax = given.tax_rate_bp if given.tax_rate_bp is not None else (product.tax_rate_bp if product else 0)
        lines.append(rules.Line(
            description=description, quantity=given.quantity.normalize(), unit_price=int(unit_price),
            tax_rate_bp=int(tax), discount_bp=given.discount_bp, product_id=given.product_id,
        ))
    return lines


def _apply_lines(document: store.Document, lines: list[rules.Line]) -> None:
    # The stored sums are a cache of `invoice_figures` (the same function every surface prints
    # from); `total` is what payments are checked against.
    figures = invoice_figures(lines)
    document.lines = [
        store.LineMap(
            description=line.description, quantity=format(line.quantity, "f"), unit_price=line.unit_price,
            tax_rate_bp=line.tax_rate_bp, discount_bp=line.discount_bp, product_id=line.product_id,
            net=parts.net, tax=parts.tax,
        )
        for line, parts in zip(lines, figures.lines, strict=True)
    ]
    document.subtotal, document.discount_total = figures.subtotal, figures.discount
    document.tax_total, document.total = figures.tax, figures.total


def _check_currency(currency: str) -> None:
    if not is_currency(currency):
        raise ValidationError("Unknown currency code.", field="currency")


def create_document(principal: Principal, kind: str, data: DocumentInput, today: date) -> store.Document:
    business = business_of(principal)
    client = _client(principal, data.client_id)
    currency = data.currency or business.currency
    _check_currency(currency)
    issue_date = data.issue_date or today
    due_date = data.due_date or (issue_date + timedelta(days=int(business.payment_terms_days)))
    rules.check_dates(issue_date, due_date)
    lines = build_lines(principal, data.lines)
    invoice_figures(lines)  # refuse absurd totals before a number is taken
    now = iso(clock.now())
    document = store.new_document(
        principal.business_id, new_id(), kind, now,
        number=rules.document_number(kind, next_number(principal.business_id, kind)),
        status=rules.DRAFT, client_id=client.client_id, bill_to=_bill_to(client), currency=currency,
        issue_date=issue_date.isoformat(), due_date=due_date.isoformat(),
        notes=data.notes, terms=data.terms if data.terms is not None else business.default_terms,
        po_number=data.po_number, updated_at=now,
        allow_partial=data.allow_partial if data.allow_partial is not None else bool(business.allow_partial_default),
        minimum_partial=data.minimum_partial if data.minimum_partial is not None else int(business.minimum_partial_default or 0),
    )
    _apply_lines(document, lines)
    conditional(lambda: document.save(condition=store.Document.pk.does_not_exist()), "Try again.")
    return document


def get_document(principal: Principal, kind: str, doc_id: str) -> store.Document:
    document = store.get_document(principal.business_id, doc_id)
    if document is None or document.kind != kind:
        raise NotFound(f"{kind.capitalize()} not found.")
    return document


def list_documents(
    principal: Principal, kind: str, limit: int, cursor: str | None, status: str | None
) -> tuple[list[store.Document], str | None]:
    """A page of invoices or quotes, newest first; `status` filters by stored status, or by
    `overdue` (derived: open and past its due date today, as every list shows it)."""
    if status is not None and status not in (*rules.STATUSES, rules.OVERDUE):
        raise ValidationError(f"Status must be one of {', '.join((*rules.STATUSES, rules.OVERDUE))}.", field="status")
    if status == rules.OVERDUE:
        return store.list_overdue(principal.business_id, kind, limit, cursor, clock.today().isoformat())
    return store.list_documents(principal.business_id, kind, limit, cursor, status)


def update_document(principal: Principal, kind: str, doc_id: str, data: DocumentUpdate) -> store.Document:
    document = get_document(principal, kind, doc_id)
    changes = data.given()
    rules.check_editable(kind, document.status, set(changes))
    if "client_id" in changes:
        client = _client(principal, str(changes.pop("client_id")))
        if document.project_id and client.client_id != document.client_id:
            # The project's client would be billed for another client's work (and told of an invoice it cannot open).
            raise Conflict(f"{_BILLED_THROUGH} first; then it can go to another client.", field="client_id")
        document.client_id, document.bill_to = client.client_id, _bill_to(client)
    if "currency" in changes:
        _check_currency(str(changes["currency"]))
    if "lines" in changes:
        _apply_lines(document, build_lines(principal, changes.pop("lines")))  # type: ignore[arg-type]
    for name in ("issue_date", "due_date"):
        if name in changes:
            value = changes.pop(name)
            setattr(document, name, value.isoformat() if isinstance(value, date) else None)
    for name, value in changes.items():
        setattr(document, name, value)
    rules.check_dates(date.fromisoformat(document.issue_date), _due(document))
    document.updated_at = iso(clock.now())
    # VersionAttribute makes this save conditional on nobody having saved in between.
    conditional(document.save, "Someone else changed this document; reload and retry.")
    return document


def _due(document: store.Document) -> date | None:
    return date.fromisoformat(document.due_date) if document.due_date else None


def _transition(document: store.Document, **changes: object) -> store.Document:
    for name, value in changes.items():
        setattr(document, name, value)
    document.updated_at = iso(clock.now())
    conditional(document.save, "Someone else changed this document; reload and retry.")
    return document


def mark_sent(principal: Principal, kind: str, doc_id: str, emailed: bool = False,
              about: str | None = None) -> store.Document:
    """Send a draft: the one place an invoice becomes sent (staff, its email, a milestone, recurring,
    a sale), so the client's contacts hear of it here, once. `emailed`: the caller emails the invoice
    itself (or a receipt), so the notification is listed but left out of the digest. `about`: what
    it bills, for the notification ("“Design” (Website relaunch)")."""
    document = get_document(principal, kind, doc_id)
    rules.check_can_send(document.status, len(document.lines))
    client = _client(principal, document.client_id)
    now = iso(clock.now())
    if document.kind == rules.INVOICE and int(document.total) == 0:
        # Nothing to pay (e.g. a 100 % discount): settled the moment it is sent.
        sent = _transition(document, status=rules.PAID, sent_at=now, paid_at=now, bill_to=_bill_to(client))
    else:
        sent = _transition(document, status=rules.SENT, sent_at=now, bill_to=_bill_to(client))
    offer_products(principal.business_id, sent)
    if sent.kind == rules.INVOICE:
        events.emit(principal.business_id, "invoice.sent", payloads.document(sent))
        if sent.status == rules.PAID:
            events.emit(principal.business_id, "invoice.paid", payloads.document(sent))
        _tell_client(principal, client, sent, emailed, about)
    return sent


def _tell_client(principal: Principal, client: Client, sent: store.Document, emailed: bool,
                 about: str | None) -> None:
    # Quotes are not told: the client hears of a quote by its email, and "invoices" is the category.
    business = business_of(principal)
    total = formatting.money(int(sent.total), sent.currency, formatting.locale_of(business, client))  # as it reads amounts
    record(Activity(principal.business_id, sent.client_id, "invoices", CLIENT, f"New invoice {sent.number} from {business.name}",
                    text=f"{total} for {about}." if about else total, portal_path=f"invoices/{sent.doc_id}",
                    staff_path=f"/app/#/invoices/{sent.doc_id}", emailed=emailed))  # its page is outside any project


def cancel(principal: Principal, kind: str, doc_id: str) -> store.Document:
    document = get_document(principal, kind, doc_id)
    rules.check_can_cancel(document.status, int(document.amount_paid))
    cancelled = _transition(document, status=rules.CANCELLED, cancelled_at=iso(clock.now()))
    invoice_payment_changed(principal.business_id, doc_id)
    if kind == rules.INVOICE:
        expire_open_sessions(principal.business_id, doc_id)
    return cancelled


_BILLED_THROUGH = "This invoice is billed through a project's milestone: give the milestone another invoice (or none)"


def delete_draft(principal: Principal, kind: str, doc_id: str) -> None:
    document = get_document(principal, kind, doc_id)
    rules.check_can_delete(document.status)
    if document.project_id:  # the milestone would bill through an invoice that no longer exists
        raise Conflict(f"{_BILLED_THROUGH} first; then it can be deleted.")
    conditional(document.delete, "Someone else changed this document; reload and retry.")


def record_payment(
    principal: Principal, doc_id: str, data: PaymentInput, today: date
) -> tuple[store.Document, store.Payment]:
    """Record a payment received outside Paydrop; the whole balance unless an amount is given."""
    document, items = store.load_collection(principal.business_id, doc_id)  # the ledger too, in one Query
    if document is None or document.kind != rules.INVOICE:
        raise NotFound("Invoice not found.")
    balance = balance_of(document, items)
    amount = data.amount if data.amount is not None else balance
    rules.check_payment(document.kind, document.status, amount, balance)
    now = iso(clock.now())
    payment = store.new_payment(
        document, new_id(), now, amount=amount, currency=document.currency, method=data.method,
        reference=data.reference, recorded_by=principal.email or principal.user_id,
        received_on=(data.received_on or today).isoformat(),
    )
    document.updated_at = now
    # The new balance and status are written with the payment, in one transaction conditional
    # on the version read: a payment racing this one either fails that condition or, reading
    # after it, finds the balance this one left (not the one before it, as when only the
    # reconcile below moved the figures: two full payments could then both land).
    was_paid = document.status == rules.PAID
    moved = settle_with(document, items, payment)
    with transaction() as tx:
        tx.save(payment, condition=store.Payment.pk.does_not_exist())
        tx.save(document)
    if moved:
        metrics.count(metrics.PAYMENTS_APPLIED)  # the reconcile below finds the figures in step already
    # Figures, status and grants come from the whole ledger, as for every other payment path.
    reconciled = reconcile(principal.business_id, doc_id)
    if document.status == rules.PAID and not was_paid:  # this write settled it (reconcile saw it paid)
        events.emit(principal.business_id, "invoice.paid", payloads.document(reconciled.document if reconciled else document))
    return (reconciled.document if reconciled else document), payment


def with_payments(principal: Principal, kind: str, doc_id: str) -> tuple[store.Document, list[store.Payment], int]:
    """The document, its ledger entries and the money received beyond its total (for staff to
    refund, e.g. two tabs paid at once), in one Query."""
    document, items = document_and_items(principal, kind, doc_id)
    return document, [i for i in items if isinstance(i, store.Payment)], settlement_of(document, items).overpaid


def document_and_items(principal: Principal, kind: str, doc_id: str) -> tuple[store.Document, list[BaseItem]]:
    """The document and everything stored with it (payments, grants), in one Query."""
    document, items = store.load_collection(principal.business_id, doc_id)
    if document is None or document.kind != kind:
        raise NotFound(f"{kind.capitalize()} not found.", field="doc_id")
    return document, items


def list_payments(principal: Principal, limit: int, cursor: str | None) -> tuple[list[store.Payment], str | None]:
    """A page of the business's ledger entries (payments, refunds, disputes), newest first."""
    return store.list_payments(principal.business_id, limit, cursor)
