"""Statements by email: staff send a client's statement to its contacts, a contact sends their
own from the portal.

The PDF is not attached (SES raw mail through the mail queue carries text; a statement can
run to megabytes): each recipient gets their own link, `/statement/{token}` (a 256-bit token
stored as its SHA-256, for that contact, that client and that period, valid 30 days), which
answers with the PDF like the portal's statement form. The link works only while the contact
is still a contact at that address: removing a contact or changing its address ends it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain import statements as rules_statements
from chalicelib.domain.errors import NotFound
from chalicelib.domain.tokens import looks_like_token, new_token
from chalicelib.services.billing.statements import facts_of
from chalicelib.services.notifications import email_render
from chalicelib.services.notifications.notifications import Outcome, email_contact, recipients
from chalicelib.store import tokens
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.clients import Client, Contact, get_client, get_contact
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import iso

LINK_DAYS = 30
PER_CONTACT, WINDOW = 5, 3600  # statements a contact may email themself an hour
LINK_INVALID = "This statement link has expired. Ask for the statement again."


@dataclass(frozen=True)
class StatementLink:
    business: Business
    client_id: str
    start: str
    end: str


def _data(client_name: str, period: rules_statements.Period, link: str, requested: bool) -> dict[str, Any]:
    """What `email/statement.html` shows: the period, each currency's closing balance, the link."""
    return {"client_name": client_name, "start": period.start.isoformat(), "end": period.end.isoformat(),
            "closing": [{"amount": s.closing, "currency": s.currency} for s in period.sections], "url": link,
            "days": LINK_DAYS, "requested": requested}


def _link(business: Business, contact: Contact, period: rules_statements.Period) -> str:
    token = new_token()
    now = clock.now()
    target = f"{contact.client_id}:{contact.contact_id}:{period.start.isoformat()}:{period.end.isoformat()}"
    tokens.new_token_item(token, tokens.STATEMENT, business.business_id, target, iso(now), email=contact.email.lower(),
                          expires_at=now + timedelta(days=LINK_DAYS)).save(condition=tokens.Token.pk.does_not_exist())
    return f"{settings().public_base_url}/statement/{token}"


def _period(business: Business, client_id: str, start_text: str | None, end_text: str | None,
            today: date) -> tuple[Client, rules_statements.Period]:
    start, end = rules_statements.parse_range(start_text, end_text, today)  # a bad range: 400 before anything
    client = get_client(business.business_id, client_id)
    if client is None:
        raise NotFound("Client not found.", field="client_id")
    invoices, entries = facts_of(business.business_id, client_id)
    return client, rules_statements.build(invoices, entries, start, end, business.currency)


def email_to_client(business: Business, client_id: str, start_text: str | None, end_text: str | None,
                    today: date) -> Outcome:
    """Staff: the statement to the client's invoice recipients who want documents."""
    client, period = _period(business, client_id, start_text, end_text, today)
    sent: list[str] = []
    skipped: list[str] = []
    for contact in recipients(business.business_id, client_id):
        wanted = email_contact(business, contact, "documents", "statement",
                               _data(client.name, period, _link(business, contact, period), False), client.locale)
        (sent if wanted else skipped).append(contact.email)
    return Outcome(sent, skipped)


def email_to_contact(business: Business, client_id: str, contact_id: str, start_text: str | None,
                     end_text: str | None, today: date) -> str:
    """A contact's own request from the portal (sent whatever their preferences: they asked). Returns the address."""
    client, period = _period(business, client_id, start_text, end_text, today)
    contact = get_contact(business.business_id, client_id, contact_id)
    if contact is None:
        raise NotFound("Not found.")
    hit(f"statement-email#{business.business_id}#{contact_id}", PER_CONTACT, WINDOW, clock.now(),
        "Too many statements were emailed. Wait a while and try again.")
    email_render.send(contact.email, "statement", business,
                      _data(client.name, period, _link(business, contact, period), True), client.locale)
    return contact.email


def open_link(token: str) -> StatementLink:
    """The statement behind an emailed link, while its contact is still current. Raises NotFound."""
    item = tokens.find_token(token, tokens.STATEMENT) if looks_like_token(token) else None
    expires = item.expires_at if item is not None else None
    if item is None or expires is None or (expires if expires.tzinfo else expires.replace(tzinfo=UTC)) <= clock.now():
        raise NotFound(LINK_INVALID)
    client_id, contact_id, start, end = [*item.target_id.split(":"), "", "", "", ""][:4]
    contact = get_contact(item.business_id, client_id, contact_id)
    business = get_business(item.business_id)
    if contact is None or business is None or contact.email.lower() != str(item.email):
        raise NotFound(LINK_INVALID)
    return StatementLink(business, client_id, start, end)
