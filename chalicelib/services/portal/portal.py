"""The client portal: one contact's view of their client's invoices, quotes, payments and
files, through a per-contact link (or a signed-in session), scoped to that one client.

Each tab is at most 3 DynamoDB calls: the link's token (GetItem; none with a session),
the business profile and the contact (one BatchGet: `contact_access` checks on every
request that the link or session still belongs to a current contact), and the tab's list (one Query on the client's portal
index: open documents first by due date, then the rest newest first). The files tab
reads grants and resources like the Files page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib import clock
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.money import format_amount
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import looks_like_token, new_token
from chalicelib.services.accounts.clients import get_client
from chalicelib.services.identity import contact_access
from chalicelib.services.identity.client_sessions import ClientSession
from chalicelib.services.portal.page_locale import page_locale
from chalicelib.store import cards, tokens
from chalicelib.store import documents as docs
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.clients import get_contact
from chalicelib.store.credits import CreditBalance
from chalicelib.store.table import BaseItem, index_page, iso, transaction

TABS = ("invoices", "quotes", "payments", "files", "account", "payment-methods", "pre-payment", "recurring", "messages",
        "projects", "subscriptions")
PAGE = 25
NOT_FOUND = "This portal link is not valid. Ask the sender for a new one."


@dataclass(frozen=True)
class PortalAccess:
    """Who is looking: one contact of one client of one business."""

    business_id: str
    client_id: str
    contact_id: str
    token: str | None  # the portal link's token; None for a signed-in session
    business: Business | None = None  # read with the contact when the portal was opened
    client_locale: str | None = None  # the client's own locale (Client.locale), read with it too
    contact_name: str | None = None  # the portal greets the contact by name


def portal_path(token: str) -> str:
    return f"/portal/{token}"


# --- staff: the per-contact link ------------------------------------------------------


def portal_link(principal: Principal, client_id: str, contact_id: str) -> str:
    """The contact's portal token, minting one if they have none yet (idempotent)."""
    get_client(principal, client_id)
    contact = get_contact(principal.business_id, client_id, contact_id)
    if contact is None:
        raise NotFound("Contact not found.", field="contact_id")
    if contact.portal_token:
        return contact.portal_token
    token = new_token()
    item = tokens.new_token_item(token, tokens.PORTAL, principal.business_id, f"{client_id}:{contact_id}", iso(clock.now()))
    try:
        with transaction() as tx:
            tx.save(item, condition=tokens.Token.pk.does_not_exist())
            tx.update(contact, actions=[type(contact).portal_token.set(token)],
                      # pk.exists(): never recreate a contact removed meanwhile as a bare item with a link
                      condition=type(contact).pk.exists() & type(contact).portal_token.does_not_exist())
    except Conflict:
        again = get_contact(principal.business_id, client_id, contact_id)
        if again is not None and again.portal_token:
            return again.portal_token  # two clicks at once: the other one's link is the link
        raise
    return token


def revoke_portal_link(principal: Principal, client_id: str, contact_id: str) -> None:
    """The old URL answers 404 from the next request on."""
    get_client(principal, client_id)
    contact = get_contact(principal.business_id, client_id, contact_id)
    if contact is None:
        raise NotFound("Contact not found.", field="contact_id")
    if not contact.portal_token:
        return
    with transaction() as tx:
        tx.delete(tokens.Token(tokens.token_pk(contact.portal_token), "TOKEN"))
        tx.update(contact, actions=[type(contact).portal_token.remove()],
                  condition=type(contact).portal_token == contact.portal_token)


# --- clients: opening the portal ------------------------------------------------------


SESSION = "me"  # `/portal/me/…`: the signed-in contact's portal, no link needed


def open_portal(token: str, session: ClientSession | None = None) -> PortalAccess:
    """The portal behind a link's token, or behind the session for `/portal/me`. Raises NotFound."""
    if token == SESSION:
        if session is None:
            raise NotFound("Sign in with the link from your email to see your portal.")
        current = contact_access.for_session(session)
        return PortalAccess(session.business_id, session.client_id, session.contact_id, None, current.business,
                            current.client_locale, current.contact.name)
    if not looks_like_token(token):
        raise NotFound(NOT_FOUND)
    item = tokens.find_token(token, tokens.PORTAL)
    if item is None:
        raise NotFound(NOT_FOUND)
    current = contact_access.for_link(item, token, NOT_FOUND)
    contact = current.contact
    return PortalAccess(item.business_id, contact.client_id, contact.contact_id, token, current.business,
                        current.client_locale, contact.name)


def business_for(access: PortalAccess) -> Business:
    if access.business is not None:
        return access.business
    business = get_business(access.business_id)
    if business is None:
        raise NotFound(NOT_FOUND)
    return business


def reader_locale(access: PortalAccess) -> str:
    """The locale the contact reads the portal in: its client's own, else the business's."""
    return page_locale(business_for(access), access.client_locale)


def visible_tabs(business: Business) -> list[str]:
    off = set(business.portal_tabs_off or []) | _payment_tabs_off(business)
    return [t for t in TABS if t not in off]


def _payment_tabs_off(business: Business) -> set[str]:
    """Saved cards need online payment; pre-payments also the business's setting."""
    from chalicelib.services.payments.stripe_gateway import online_payment_available

    if not online_payment_available(bool(business.stripe_enabled)):
        return {"payment-methods", "pre-payment"}
    return set() if business.prepayment_enabled else {"pre-payment"}


def check_tab(business: Business, tab: str) -> None:
    if tab not in visible_tabs(business):
        raise NotFound("This part of the portal is not available.", field="tab")


def _money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency, "display": format_amount(amount, currency)}


def documents_tab(access: PortalAccess, kind: str, cursor: str | None, today: date) -> dict[str, Any]:
    """The client's invoices (or quotes): open ones first with the balance they add up to."""
    pk = docs.client_docs_pk(access.business_id, access.client_id, kind)
    page, next_cursor = index_page(BaseItem, "gsi2", pk, PAGE, cursor)
    # The client's credit balances sort first in the same partition: no extra read for them.
    credit = [_money(int(b.available), b.currency) for b in page if isinstance(b, CreditBalance) and int(b.available) > 0]
    found = [d for d in page if isinstance(d, docs.Document)]
    items: list[dict[str, Any]] = []
    open_totals: dict[str, int] = {}
    overdue_totals: dict[str, int] = {}
    overdue = False
    for d in found:
        due = date.fromisoformat(d.due_date) if d.due_date else None
        status = rules.display_status(d.status, due, today)
        is_open = d.status in rules.OPEN_STATUSES
        balance = d.balance if is_open else 0
        if is_open and kind == rules.INVOICE:
            open_totals[d.currency] = open_totals.get(d.currency, 0) + balance
            overdue = overdue or status == "overdue"
            if status == "overdue":
                overdue_totals[d.currency] = overdue_totals.get(d.currency, 0) + balance
        items.append({
            "id": d.doc_id, "number": d.number, "issue_date": d.issue_date, "due_date": d.due_date,
            "status": status, "currency": d.currency, "total": _money(int(d.total), d.currency),
            "balance": _money(balance, d.currency), "payable": is_open and kind == rules.INVOICE and balance > 0,
        })
    # Open invoices come first, so the first page holds them all unless there are more than a
    # page of them (then the total is "at least").
    all_open_here = bool(next_cursor) and all(d.status in rules.OPEN_STATUSES for d in found)
    return {
        "items": items, "next_cursor": next_cursor, "overdue": overdue, "credit": credit if cursor is None else None,
        "outstanding": [_money(v, c) for c, v in sorted(open_totals.items())] if cursor is None else None,
        "outstanding_complete": not all_open_here,
        "overdue_totals": [_money(v, c) for c, v in sorted(overdue_totals.items())] if cursor is None else None,
    }


def payments_tab(access: PortalAccess, cursor: str | None) -> dict[str, Any]:
    """The client's payments, refunds and disputes, newest first, with the invoice each was applied to."""
    pk = docs.client_payments_pk(access.business_id, access.client_id)
    found, next_cursor = index_page(docs.Payment, "gsi2", pk, PAGE, cursor, newest_first=True)
    items = [
        {"kind": p.kind, "amount": _money(int(p.amount), p.currency), "received_on": p.received_on,
         "method": "card" if p.method == "stripe" else p.method, "invoice_number": p.doc_number,
         "dispute_status": p.dispute_status,
         "receipt": f"{p.doc_id}/{p.payment_id}" if p.kind == "payment" else None}  # services/billing/receipts.py
        for p in found if p.kind in ("payment", "refund", "dispute", "credit")
    ]
    return {"items": items, "next_cursor": next_cursor,
            # one Query more, only where pre-payments are on (the tab's budget is three calls)
            "prepayments": _prepayments(access) if cursor is None and business_for(access).prepayment_enabled else None}


def _prepayments(access: PortalAccess) -> list[dict[str, Any]]:
    """The pre-payments the client made (received: they became credit), newest first, each with its receipt."""
    paid = sorted((i for i in cards.client_collection(access.business_id, access.client_id)
                   if isinstance(i, cards.Prepayment) and i.status == "received"),
                  key=lambda p: p.created_at, reverse=True)
    return [{"amount": _money(int(p.amount), p.currency), "received_on": p.updated_at[:10], "receipt": p.prepay_id}
            for p in paid]


def _check_scope(access: PortalAccess, document: docs.Document | None, kind: str) -> docs.Document:
    """This portal's client's own non-draft document of `kind`; a 404 for anything else."""
    if document is None or document.client_id != access.client_id or document.kind != kind \
            or document.status == rules.DRAFT:
        raise NotFound("Not found.")
    return document


def payable_document(access: PortalAccess, doc_id: str) -> docs.Document:
    """An invoice of this portal's client (404 for anyone else's, or for drafts)."""
    return _check_scope(access, docs.get_document(access.business_id, doc_id), rules.INVOICE)


def open_document(access: PortalAccess, kind: str, doc_id: str) -> tuple[Business, docs.Document, list[BaseItem]]:
    """A document in the portal (page or PDF): the business, the document and what is stored with it."""
    document, stored = docs.load_collection(access.business_id, doc_id)
    checked = _check_scope(access, document, kind)
    business = business_for(access)
    if kind == rules.QUOTE:
        check_tab(business, "quotes")
    return business, checked, stored
