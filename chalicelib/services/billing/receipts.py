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
        "business": _business_part(business), "prepayment": None,
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


def _business_part(business: Business) -> dict[str, Any]:
    return {"name": business.name, "email": business.email, "phone": business.phone, "address": business.address,
            "tax_number": business.tax_number, "brand_color": business.brand_color,
            "accent_color": business.accent_color, "invoice_footer": business.invoice_footer}


def prepayment_receipt(business: Business, client_id: str, prepay_id: str) -> dict[str, Any]:
    """The receipt of a pre-payment of `client_id`'s that was received (it became credit): the same
    view as an invoice payment's, with no invoice and the credit note it became. Raises NotFound."""
    from chalicelib.store import cards
    from chalicelib.store import credits as credit_store

    prepayment = cards.get_prepayment(business.business_id, client_id, prepay_id)
    if prepayment is None or prepayment.status != "received":
        raise NotFound(NOT_FOUND)
    note = next((n for n in credit_store.credit_collection(business.business_id, client_id)
                 if isinstance(n, credit_store.CreditNote) and n.credit_id == prepayment.credit_id), None)
    client = get_client(business.business_id, client_id)
    currency, amount, refunded = str(prepayment.currency), int(prepayment.amount), int(prepayment.refunded or 0)
    return {
        "receipt_id": prepayment.prepay_id, "doc_id": "prepayments", "client_id": client_id,
        "locale": locale_of(business, client), "business": _business_part(business),
        "prepayment": {"credit_note": note.number if note else None},
        "client": {"name": client.name if client else "", "email": client.email if client else None,
                   "address": client.address if client else None},
        "paid_on": note.issued_on if note else prepayment.updated_at[:10], "amount": _money(amount, currency),
        "method": "card", "reference": None, "invoices": [],
        "refunds": [{"on": prepayment.updated_at[:10], "amount": _money(refunded, currency)}] if refunded else [],
        "refunded": _money(refunded, currency), "kept": _money(amount - refunded, currency), "balance": None,
    }


def receipt_pdf(business: Business, view: dict[str, Any]) -> Any:
    """The receipt's PDF (`pdfs.Delivery`), rendered again only when what it says changed (a refund)."""
    from chalicelib.services.billing import pdfs
    from chalicelib.services.billing.receipt_pdf import render_receipt

    key = f"pdfs/{business.business_id}/receipts/{view['doc_id']}/{view['receipt_id']}-{pdfs.paper_of(business)}.pdf"
    number = view["invoices"][0]["number"] if view["invoices"] else view["prepayment"]["credit_note"] or "prepayment"
    filename = f"receipt-{number}-{view['paid_on']}.pdf"
    printed = localized(view, view["locale"])  # amounts, dates: by locale
    return pdfs.cached_pdf(business, key, printed, f"{business.business_id}#{view['client_id']}", render_receipt, filename)
