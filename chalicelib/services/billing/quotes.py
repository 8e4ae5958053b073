"""Quotes decided by the client in the portal: approve (name, PO number, terms) or decline
with a reason. An approved quote becomes a sent invoice at once (per business setting),
and the client is taken to pay it; staff get an email either way."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.inputs import QuoteApproval, QuoteDecline
from chalicelib.domain.principal import Principal
from chalicelib.services.billing.documents import get_document
from chalicelib.services.delivery.unlock import offer_products
from chalicelib.services.developer import events, payloads
from chalicelib.services.notifications import email_render
from chalicelib.services.portal.portal import PortalAccess
from chalicelib.store import documents as docs
from chalicelib.store.businesses import Business, get_business, next_number
from chalicelib.store.table import conditional, iso


@dataclass(frozen=True)
class Decided:
    quote: docs.Document
    invoice: docs.Document | None  # the invoice it became, when approved and converted


def _quote_of(access: PortalAccess, doc_id: str) -> docs.Document:
    quote = docs.get_document(access.business_id, doc_id)
    if quote is None or quote.kind != rules.QUOTE or quote.client_id != access.client_id or quote.status == rules.DRAFT:
        raise NotFound("Quote not found.")
    return quote


def _business(business_id: str) -> Business:
    business = get_business(business_id)
    if business is None:
        raise NotFound("Quote not found.")
    return business


def approve(access: PortalAccess, doc_id: str, data: QuoteApproval, today: date) -> Decided:
    quote, business = _quote_of(access, doc_id), _business(access.business_id)
    rules.check_quote_decision(quote.kind, quote.status, bool(business.quote_requires_terms),
                               data.accept_terms is not None, approving=True)
    quote.status, quote.decided_at = rules.ACCEPTED, iso(clock.now())
    quote.decided_by_name = data.name
    quote.po_number = data.po_number or quote.po_number
    _save_decision(quote)
    invoice = convert(business, quote, today) if business.quote_auto_convert else None
    events.emit(access.business_id, "quote.approved",
                {**payloads.document(quote), "invoice_id": invoice.doc_id if invoice else None})
    _tell_staff(business, "quote_approved", quote, who=data.name, total=int(quote.total), currency=quote.currency,
                invoice_number=invoice.number if invoice else None)
    return Decided(quote, invoice)


def decline(access: PortalAccess, doc_id: str, data: QuoteDecline) -> Decided:
    quote, business = _quote_of(access, doc_id), _business(access.business_id)
    rules.check_quote_decision(quote.kind, quote.status, False, False, approving=False)
    quote.status, quote.decided_at, quote.decline_reason = rules.DECLINED, iso(clock.now()), data.reason
    _save_decision(quote)
    _tell_staff(business, "quote_declined", quote, reason=data.reason)
    return Decided(quote, None)


def _save_decision(quote: docs.Document) -> None:
    # Conditional on the version read: of two decisions at once, one wins and the other is told.
    quote.updated_at = iso(clock.now())
    conditional(quote.save, "This quote was decided on at the same time; reload the page.")


def convert(business: Business, quote: docs.Document, today: date) -> docs.Document:
    """The invoice an accepted quote becomes: same client, lines and totals, sent today. Once only."""
    if quote.converted_invoice_id:
        existing = docs.get_document(business.business_id, quote.converted_invoice_id)
        if existing is not None:
            return existing
    invoice_id = hashlib.sha256(f"invoice-of:{quote.doc_id}".encode()).hexdigest()[:20]
    now = iso(clock.now())
    invoice = docs.new_document(
        business.business_id, invoice_id, rules.INVOICE, now,
        number=rules.document_number(rules.INVOICE, next_number(business.business_id, rules.INVOICE)),
        status=rules.SENT, client_id=quote.client_id, **docs.content_of(quote),
        issue_date=today.isoformat(), due_date=(today + timedelta(days=int(business.payment_terms_days))).isoformat(),
        sent_at=now, updated_at=now, quote_id=quote.doc_id, allow_partial=bool(business.allow_partial_default),
        minimum_partial=int(business.minimum_partial_default or 0),
    )
    try:
        conditional(lambda: invoice.save(condition=docs.Document.pk.does_not_exist()), "Already converted.")
    except Conflict:
        found = docs.get_document(business.business_id, invoice_id)
        if found is None:
            raise
        return found
    quote.update(actions=[docs.Document.converted_invoice_id.set(invoice_id)], add_version_condition=False)
    offer_products(business.business_id, invoice)
    events.emit(business.business_id, "invoice.sent", payloads.document(invoice))  # sent as it is made (once)
    return invoice


def convert_by_staff(principal: Principal, doc_id: str, today: date) -> docs.Document:
    """Turn an accepted quote into an invoice (when the business does not convert automatically)."""
    quote = get_document(principal, rules.QUOTE, doc_id)
    if quote.status != rules.ACCEPTED:
        raise Conflict("Only an accepted quote becomes an invoice.")
    return convert(_business(principal.business_id), quote, today)


def _tell_staff(business: Business, kind: str, quote: docs.Document, **data: Any) -> None:
    """The team's email about a decision (`email/quote_approved.html`, `quote_declined.html`), to the
    business's own address, with a button to the quote in the dashboard."""
    if business.email:
        url = f"{settings().public_base_url}/app/#/quotes/{quote.doc_id}"
        email_render.send(business.email, kind, business, {**data, "number": quote.number, "url": url})
