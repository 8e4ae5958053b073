"""A buy link's Checkout, after Stripe: the sale on payment, the units back on expiry.

`checkout_completed` (mode payment) runs in the payments worker, once per event id like every
Stripe event, and each step is written so a repeat or a resumed run finds it done:
1. the buyer's contact: `buyers.contact_for` (matched by email, never a duplicate);
2. the invoice: its number, the invoice and the reservation's `doc_id` in one transaction
   (no number lost or taken twice; the invoice id comes from the session: written once);
3. sent (its products' files offered as grants, locked until paid: `unlock.offer_products`),
   then the payment entry keyed by the PaymentIntent and `ledger.reconcile`, which marks it paid
   and opens the `after_payment` grants, as for any invoice;
4. the receipt with a one-time sign-in link (claimed on the reservation first: sent once).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from pynamodb.transactions import TransactWrite

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain import formatting
from chalicelib.domain import invoices as invoice_rules
from chalicelib.domain import payments as pay_rules
from chalicelib.domain.buy_links import DELAYED_PAYMENT_DAYS
from chalicelib.domain.errors import Conflict
from chalicelib.domain.figures import invoice_figures
from chalicelib.domain.invoices import Line
from chalicelib.domain.tokens import new_token
from chalicelib.services.accounts import buyers
from chalicelib.services.billing import documents
from chalicelib.services.billing.ledger import reconcile
from chalicelib.services.notifications import activity, email_render
from chalicelib.store import buy_links as store
from chalicelib.store import documents as docs
from chalicelib.store import tokens, webhook_events
from chalicelib.store.businesses import Business, get_business, write_numbered
from chalicelib.store.clients import Contact
from chalicelib.store.table import conditional, iso

log = logging.getLogger("paydrop.selling")
SIGN_IN_HOURS = 24  # the receipt's one-time link: a day to open it (a new one is a click away)


def is_ours(session: dict[str, Any]) -> bool:
    """A session a buy link created (its metadata names the link)."""
    return bool((session.get("metadata") or {}).get("link_id"))


def reservation_of(session: dict[str, Any]) -> store.Reservation | None:
    """The reservation a buy link's Checkout Session made (found through its metadata), if any."""
    metadata = session.get("metadata") or {}
    ids = [metadata.get(name) for name in ("business_id", "link_id", "hold_id")]
    if not all(isinstance(i, str) and i for i in ids):
        return None
    reservation = store.get_reservation(*(str(i) for i in ids))
    # The session must be the one recorded on it (metadata copied onto another session is refused).
    return reservation if reservation is not None and reservation.session_id == session.get("id") else None


def checkout_completed(session: dict[str, Any]) -> str:
    reservation = reservation_of(session)
    if reservation is None:
        log.warning("buy link session %s matches no reservation; not applied", session.get("id"))
        return "rejected_unknown_session"
    # `no_payment_required`: a promotion code took it all off; the sale stands with nothing to charge.
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        # A bank debit still clearing: its units stay held (off the hourly sweep) until it does or fails.
        now = clock.now()
        store.hold_longer(reservation, iso(now + timedelta(days=DELAYED_PAYMENT_DAYS)), iso(now))
        return "awaiting_async_payment"
    business = get_business(reservation.business_id)
    if business is None:
        return "rejected_unknown_business"
    contact = buyer_contact(reservation)
    count_sale(reservation)
    document = _invoice(business, reservation, contact, session)
    _pay(document, session, reservation)
    _send_receipt(business, reservation, contact, document)
    return "sale_recorded"


def buyer_contact(reservation: store.Reservation) -> Contact:
    """The business's contact for the buyer's address: found, or made now with a new client (once)."""
    name = reservation.name or reservation.email.split("@")[0]
    contact, _ = buyers.contact_for(reservation.business_id, buyers.Person(
        reservation.email, name, note="Bought through a buy link."))
    return contact


def count_sale(reservation: store.Reservation) -> None:
    """The reserved units are sold (once: a repeat finds the reservation complete)."""
    if reservation.state == store.RELEASED:  # paid after its units went back: the sale still stands
        log.error("buy link session %s paid after it expired", reservation.session_id)
    if store.end_reservation(reservation, store.COMPLETE, iso(clock.now())):
        link = store.get_link(reservation.business_id, reservation.link_id)
        if link is not None:
            store.count_sold(link, int(reservation.quantity))


def sale_doc_id(session_id: str) -> str:
    """The sale's invoice id, the same for every delivery of the session's events."""
    return hashlib.sha256(f"buy:{session_id}".encode()).hexdigest()[:20]


def _lines(reservation: store.Reservation, paid: int) -> list[Line]:
    """The lines as sold, and, when a promotion code took money off, a line saying so: the
    invoice's total is what was paid."""
    quantity = Decimal(int(reservation.quantity))
    lines = [Line(str(x["description"]), quantity, int(x["unit_price"]), int(x["tax_rate_bp"]),
                  product_id=str(x["product_id"])) for x in json.loads(reservation.lines_json)]
    off = invoice_figures(lines).total - paid
    if off > 0:
        lines.append(Line("Promotion code", Decimal(1), -off))
    return lines


def _invoice(business: Business, reservation: store.Reservation, contact: Contact,
             session: dict[str, Any]) -> docs.Document:
    """The sale's invoice, numbered once (resumed runs and repeats find it), sent."""
    doc_id = sale_doc_id(str(reservation.session_id))
    document = docs.get_document(business.business_id, doc_id)
    if document is None:
        paid = pay_rules.from_stripe_units(int(session.get("amount_total") or 0), business.currency)
        document = _numbered(business, reservation, contact, doc_id, _lines(reservation, paid))
    if document.status == invoice_rules.DRAFT:
        from chalicelib.services.recurring.issue import acting_for

        # The buyer's receipt email names it: listed in the portal, not emailed again by the digest.
        document = documents.mark_sent(acting_for(business.business_id), invoice_rules.INVOICE, doc_id, emailed=True)
    return document


def _numbered(business: Business, reservation: store.Reservation, contact: Contact, doc_id: str,
              lines: list[Line]) -> docs.Document:
    def write(tx: TransactWrite, document: docs.Document) -> None:
        tx.save(document, condition=docs.Document.pk.does_not_exist())
        tx.update(reservation, actions=[store.Reservation.doc_id.set(doc_id),
                                        store.Reservation.client_id.set(contact.client_id)])

    return write_numbered(business.business_id, invoice_rules.INVOICE,
                          lambda number: _draft(business, reservation, contact, doc_id, lines, number), write,
                          lambda: docs.get_document(business.business_id, doc_id),  # another delivery wrote it
                          "Invoice numbers kept moving; the event is retried.")


def _draft(business: Business, reservation: store.Reservation, contact: Contact, doc_id: str, lines: list[Line],
           number: int) -> docs.Document:
    now = clock.now()
    figures = invoice_figures(lines)
    document = docs.new_document(
        business.business_id, doc_id, invoice_rules.INVOICE, iso(now),
        number=invoice_rules.document_number(invoice_rules.INVOICE, number), status=invoice_rules.DRAFT,
        client_id=contact.client_id, bill_to=docs.BillTo(name=contact.name, email=contact.email),
        currency=reservation.currency, issue_date=now.date().isoformat(), due_date=now.date().isoformat(),
        notes=f"Bought online ({reservation.link_id}).", updated_at=iso(now),
        subtotal=figures.subtotal, discount_total=figures.discount, tax_total=figures.tax, total=figures.total,
    )
    document.lines = [docs.LineMap(description=line.description, quantity=format(line.quantity, "f"),
                                   unit_price=line.unit_price, tax_rate_bp=line.tax_rate_bp, discount_bp=0,
                                   product_id=line.product_id, net=parts.net, tax=parts.tax)
                      for line, parts in zip(lines, figures.lines, strict=True)]
    return document


def _pay(document: docs.Document, session: dict[str, Any], reservation: store.Reservation) -> None:
    """The Stripe payment on the invoice's ledger (keyed by the PaymentIntent: once), then the
    figures, the status and the grants from the whole ledger, as for any Stripe payment."""
    payment_intent = str(session.get("payment_intent") or session["id"])
    currency = str(session.get("currency") or document.currency).upper()
    amount = pay_rules.from_stripe_units(int(session.get("amount_total") or 0), currency)
    if amount == 0:
        return  # nothing was charged: the invoice was settled when it was sent (a total of 0)
    webhook_events.remember_home(payment_intent, document.business_id, document.doc_id)  # refunds find it
    now = clock.now()
    entry = docs.new_stripe_entry(
        document, payment_intent, iso(now), kind=pay_rules.PAYMENT if currency == document.currency else pay_rules.UNAPPLIED,
        amount=amount, currency=currency, method="stripe", received_on=now.date().isoformat(),
        stripe_payment_intent=payment_intent, stripe_checkout_session=reservation.session_id)
    with contextlib.suppress(Conflict):  # a repeat: the figures below are the same
        conditional(lambda: entry.save(condition=docs.Payment.pk.does_not_exist()), "Already recorded.")
    reconcile(document.business_id, document.doc_id)


def _send_receipt(business: Business, reservation: store.Reservation, contact: Contact, document: docs.Document) -> None:
    """Once per sale: the receipt, with a one-time link that signs the buyer into the portal."""
    try:
        conditional(lambda: reservation.update(actions=[store.Reservation.emailed_at.set(iso(clock.now()))],
                                               condition=store.Reservation.emailed_at.does_not_exist()), "Sent.")
    except Conflict:
        return
    base = settings().public_base_url
    token, now = new_token(), clock.now()
    target = f"contact:{contact.client_id}:{contact.contact_id}:{int(contact.session_generation or 0)}"
    tokens.new_token_item(token, tokens.CLIENT_SIGN_IN, business.business_id, target, iso(now),
                          email=contact.email.lower(), expires_at=now + timedelta(hours=SIGN_IN_HOURS)).save(
        condition=tokens.Token.pk.does_not_exist())
    link = store.get_link(business.business_id, reservation.link_id)
    data = {"title": link.title if link else "your order", "number": document.number, "total": int(document.total),
            "currency": document.currency, "url": f"{base}/signin/confirm/{token}", "hours": SIGN_IN_HOURS,
            "sign_in_url": f"{base}/signin/{business.business_id}"}
    try:
        email_render.send(contact.email, "purchase", business, data)
    except Exception:
        reservation.update(actions=[store.Reservation.emailed_at.remove()])  # the retry sends it
        raise
    activity.record(activity.Activity(
        business.business_id, contact.client_id, "invoices", activity.STAFF,
        f"Sold through a buy link: invoice {document.number} to {contact.email}",
        text=formatting.money(int(document.total), document.currency, formatting.locale_of(business)),
        staff_path=f"#/invoices/{document.doc_id}"))


def checkout_expired(session: dict[str, Any]) -> str:
    """An abandoned (or declined) checkout: its units and the buyer's room come back; nothing else
    was written, so nothing else is undone."""
    from chalicelib.services.selling.purchase import release

    reservation = reservation_of(session)
    if reservation is None:
        return "rejected_unknown_session"
    return "units_released" if release(reservation) else "already_ended"
