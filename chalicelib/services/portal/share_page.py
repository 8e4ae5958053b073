"""What a client sees on a share link: a safe subset of the invoice, in 3 reads."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from chalicelib import clock
from chalicelib.domain import access, formatting
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import NotFound
from chalicelib.domain.figures import rows as figure_rows
from chalicelib.domain.money import format_amount, percent_text, to_decimal_string
from chalicelib.domain.payments import stripe_minimum
from chalicelib.domain.tokens import looks_like_token
from chalicelib.services.accounts.businesses import logo_url
from chalicelib.services.delivery.file_labels import label_of
from chalicelib.services.delivery.previews.urls import preview_url
from chalicelib.services.delivery.unlock import payment_facts
from chalicelib.services.payments import stripe_gateway
from chalicelib.services.portal.page_locale import page_locale, stored_client_locale
from chalicelib.store import documents as docs
from chalicelib.store import tokens
from chalicelib.store.businesses import Business, business_pk
from chalicelib.store.clients import client_sk
from chalicelib.store.grants import Grant
from chalicelib.store.table import BaseItem

NOT_FOUND = "This link is not valid. Ask the sender for a new one."


def open_share_link(token: str) -> tuple[Business, docs.Document, Sequence[object]]:
    """The business, invoice and what is stored with it (payments, grants). Raises NotFound.

    Reads: the token item, the invoice's item collection, one BatchGet of the business profile and the client.
    """
    if not looks_like_token(token):
        raise NotFound(NOT_FOUND)
    item = tokens.find_token(token, tokens.INVOICE_SHARE)
    if item is None:
        raise NotFound(NOT_FOUND)
    document, others = docs.load_collection(item.business_id, item.target_id)
    if document is None or document.share_token != token or document.status == rules.DRAFT:
        raise NotFound(NOT_FOUND)
    # The business and the invoice's client (whose locale the page is written in) in one BatchGet;
    # the client rides along with the stored items (every reader of them picks by type).
    keys = [(business_pk(item.business_id), "PROFILE"), (business_pk(item.business_id), client_sk(document.client_id))]
    found = {(i.pk, i.sk): i for i in BaseItem.batch_get(keys)}
    business = found.get(keys[0])
    if not isinstance(business, Business):
        raise NotFound(NOT_FOUND)
    client = found.get(keys[1])
    return business, document, [*others, client] if client is not None else others


def _money(amount: float, currency: str) -> dict[str, Any]:
    return {"amount": int(amount), "currency": currency, "display": format_amount(int(amount), currency)}


def figures_view(document: docs.Document, currency: str, locale: str = formatting.DEFAULT_LOCALE) -> dict[str, Any]:
    """The document's lines and totals as printed: every amount from the one `InvoiceFigures`
    (domain/figures.py), and `rows`, the totals block top to bottom with each row's sign.

    A cancelled invoice prints "nothing to pay" instead of a balance; its `balance` is 0."""
    f = document.figures()
    cancelled = document.status == rules.CANCELLED
    printed = []
    for row in figure_rows(f, with_paid=document.kind == rules.INVOICE, locale=locale):  # a quote: nothing paid or due
        if row.key == "balance" and cancelled:
            printed.append({"key": "cancelled", "label": "Cancelled", "sign": "=", "amount": 0,
                            "display": "nothing to pay"})
            continue
        money = _money(row.amount, currency)
        printed.append({"key": row.key, "label": row.label, "sign": row.sign, "amount": row.amount,
                        "display": ("−" if row.sign == "-" else "") + money["display"]})
    return {
        "lines": [
            {
                "description": line.description, "quantity": line.quantity,
                "unit_price": _money(line.unit_price, currency),
                "tax_rate_percent": percent_text(line.tax_rate_bp),
                "discount_percent": percent_text(line.discount_bp),
                "amount": _money(parts.amount, currency),  # quantity × unit price, before discount and tax
            }
            for line, parts in zip(document.lines, f.lines, strict=True)
        ],
        "subtotal": _money(f.subtotal, currency),
        "discount_total": _money(f.discount, currency),
        "taxes": [{"rate_percent": percent_text(t.rate_bp), "amount": _money(t.amount, currency)} for t in f.taxes],
        "tax_total": _money(f.tax, currency),
        "total": _money(f.total, currency),
        "amount_paid": _money(f.paid, currency),
        "balance": _money(0 if cancelled else f.balance, currency),
        "rows": printed,
    }


def _resources(grants: list[Grant], document: docs.Document, base_url: str) -> list[dict[str, Any]]:
    """What the client sees of each grant: title, words for its state, a link when it opens."""
    shown, now = [], clock.now()
    for g in sorted(grants, key=lambda g: g.created_at):
        if not access.shown_to_client(g.policy, g.state, g.reason, g.claimed_by):
            continue
        # Ask what the redemption will ask (`redeem` judges the grant by the invoice the same way).
        # A claimed file belongs to its claimer: they download it from their Files page.
        label = label_of(g, now, payment_facts(document), claimed_elsewhere=g.claimed_by is not None)
        shown.append({
            "title": g.title, "kind": g.kind, "filename": g.filename,
            "size": int(g.size) if g.size is not None else None,
            "status": label.text, "reason": label.reason,
            # Files this invoice's payment opens: the receipt after paying lists them.
            "unlocked_by_payment": g.policy == access.AFTER_PAYMENT,
            "preview_url": preview_url(g.preview_key) if access.may_show_preview(g.state, bool(g.preview_before_payment))
            else None,
            "download_url": f"{base_url}/files/{g.file_token}" if label.link else None,
        })
    return shown


def _pay_terms(business: Business, document: docs.Document, today: date) -> dict[str, Any]:
    """Whether the page offers a Pay button, and what a part payment must be at least."""
    floor = stripe_minimum(document.currency)
    minimum = max(floor, int(document.minimum_partial or 0)) if document.allow_partial else document.balance
    available = (document.kind == rules.INVOICE and document.status in rules.OPEN_STATUSES and document.balance >= floor
                 and stripe_gateway.online_payment_available(bool(business.stripe_enabled)))
    return {"available": available, "allow_partial": bool(document.allow_partial) and available,
            "minimum": _money(min(minimum, document.balance), document.currency),
            "balance_text": to_decimal_string(document.balance, document.currency)}


def public_view(
    business: Business, document: docs.Document, stored: Sequence[object], today: date, base_url: str = "",
    locale: str | None = None,
) -> dict[str, Any]:
    """The client-safe view: no internal ids, no tokens, no staff notes about people. `locale`:
    the reader's (default: the client's among `stored`, else the business's)."""
    payments = [i for i in stored if isinstance(i, docs.Payment)]
    grants = [i for i in stored if isinstance(i, Grant)]
    currency = document.currency
    due = date.fromisoformat(document.due_date) if document.due_date else None
    locale = locale or page_locale(business, stored_client_locale(stored))
    return {
        "locale": locale,  # the reader's: the client's own, else the business's (page and PDF alike)
        "business": _business_view(business),
        "invoice": {
            "number": document.number,
            "status": rules.display_status(document.status, due, today),
            "currency": currency,
            "issue_date": document.issue_date,
            "due_date": document.due_date,
            "po_number": document.po_number,
            "bill_to": {
                "name": document.bill_to.name, "email": document.bill_to.email,
                "address": document.bill_to.address, "tax_number": document.bill_to.tax_number,
            },
            **figures_view(document, currency, locale),
            "notes": document.notes,
            "terms": document.terms,
            "resources": _resources(grants, document, base_url),
            "pay": _pay_terms(business, document, today),
            "payments": _payment_history(payments),
        },
    }


def _business_view(business: Business) -> dict[str, Any]:
    return {
        "name": business.name, "email": business.email, "phone": business.phone,
        "address": business.address, "tax_number": business.tax_number,
        "logo_url": logo_url(business), "brand_color": business.brand_color,
        "accent_color": business.accent_color, "invoice_footer": business.invoice_footer,
        "locale": business.locale,  # of the page's money and dates (a client's own locale overrides it)
    }


def _payment_history(payments: list[docs.Payment]) -> list[dict[str, Any]]:
    """The client's payment history: payments, refunds and disputes (not entries held for review)."""
    return [
        {"kind": p.kind, "amount": _money(p.amount, p.currency), "method": p.method,
         "received_on": p.received_on, "dispute_status": p.dispute_status}
        for p in sorted(payments, key=lambda p: p.created_at) if p.kind in ("payment", "refund", "dispute", "credit")
    ]
