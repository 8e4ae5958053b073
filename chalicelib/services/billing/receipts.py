"""Receipts: every payment received has one, as a page and as a PDF.

A receipt is one `payment` ledger entry of an invoice (a manual payment or a Stripe payment,
by its PaymentIntent), read with the invoice's whole ledger in one Query on the invoice's
collection: the business, the client, the date, amount and method, the invoice it paid, the
refunds of that same payment (Stripe's refunds carry its PaymentIntent) and the invoice's
balance left by its ledger now. A portal asks with its client: another client's payment, like
an unknown one, is a 404.
"""
from __future__ import annotations

from typing import Any

from chalicelib.domain import payments as pay_rules
from chalicelib.domain.errors import NotFound
from chalicelib.domain.formatting import locale_of, localized
from chalicelib.domain.money import format_amount
from chalicelib.services.billing.ledger import balance_of
from chalicelib.store import documents as docs
from chalicelib.store.businesses import Business
from chalicelib.store.clients import get_client

NOT_FOUND = "Receipt not found."


def _money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency, "display": format_amount(amount, currency)}


def method_words(method: str | None) -> str:
    return "card" if method == "stripe" else str(method or "").replace("_", " ")


def receipt(business: Business, doc_id: str, payment_id: str, client_id: str | None = None) -> dict[str, Any]:
    """The receipt of one payment of `business` (of `client_id`'s, when given). Raises NotFound."""
    document, items = docs.load_collection(business.business_id, doc_id)
    if document is None or (client_id is not None and document.client_id != client_id):
        raise NotFound(NOT_FOUND)
    entries = [i for i in items if isinstance(i, docs.Payment)]
    payment = next((p for p in entries if p.payment_id == payment_id and p.kind == pay_rules.PAYMENT), None)
    if payment is None:
        raise NotFound(NOT_FOUND)
    currency = str(payment.currency)
    refunds = [p for p in entries if p.kind == pay_rules.REFUND and payment.stripe_payment_intent
               and p.stripe_payment_intent == payment.stripe_payment_intent]
    refunded = sum(int(r.amount) for r in refunds)
    client = get_client(business.business_id, document.client_id)
    bill_to = document.bill_to
    return {
        "receipt_id": payment.payment_id, "doc_id": document.doc_id, "client_id": document.client_id,
        "locale": locale_of(business, client),  # how its amounts and dates are written
        "business": {"name": business.name, "email": business.email, "phone": business.phone,
                     "address": business.address, "tax_number": business.tax_number,
                     "brand_color": business.brand_color, "accent_color": business.accent_color,
                     "invoice_footer": business.invoice_footer},
        "client": {"name": client.name if client else bill_to.name,
                   "email": bill_to.email or (client.email if client else None),
                   "address": bill_to.address or (client.address if client else None)},
        "paid_on": payment.received_on, "amount": _money(int(payment.amount), currency),
        "method": method_words(payment.method), "reference": payment.reference,
        "invoices": [{"id": document.doc_id, "number": document.number,
                      "total": _money(int(document.total), document.currency)}],
        "refunds": [{"on": r.received_on, "amount": _money(int(r.amount), currency)} for r in refunds],
        "refunded": _money(refunded, currency), "kept": _money(int(payment.amount) - refunded, currency),
        "balance": _money(max(0, balance_of(document, items)), document.currency),
    }


def receipt_pdf(business: Business, view: dict[str, Any]) -> Any:
    """The receipt's PDF (`pdfs.Delivery`), rendered again only when what it says changed (a refund)."""
    from chalicelib.services.billing import pdfs
    from chalicelib.services.billing.receipt_pdf import render_receipt

    key = f"pdfs/{business.business_id}/receipts/{view['doc_id']}/{view['receipt_id']}-{pdfs.paper_of(business)}.pdf"
    filename = f"receipt-{view['invoices'][0]['number']}-{view['paid_on']}.pdf"
    printed = localized(view, view["locale"])  # amounts, dates: by locale
    return pdfs.cached_pdf(business, key, printed, f"{business.business_id}#{view['client_id']}", render_receipt, filename)
