"""Emails to a client's contacts: invoices sent by email, payment reminders, receipts.

Each carries a link to the contact's no-login preferences page and RFC 8058 one-click
unsubscribe headers, and is sent only if the contact still wants that kind of email
(`documents`, `reminders`, `marketing`, and the six kinds of activity that digests carry:
see `digests.py`): preferences apply to the next send.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain.errors import Conflict, NotFound, Unavailable
from chalicelib.domain.tokens import new_token
from chalicelib.services.notifications import email_render, mail
from chalicelib.store import tokens
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.clients import Contact, get_client, list_contacts
from chalicelib.store.table import conditional, iso

# What happened in a project or conversation (activity.record): emailed as digests, each can be turned off.
ACTIVITY = ("messages", "approvals", "decisions", "milestones", "invoices", "files")
CATEGORIES = ("documents", "reminders", "marketing", *ACTIVITY)


@dataclass(frozen=True)
class Outcome:
    sent_to: list[str]
    skipped: list[str]  # contacts who opted out of this kind of email


class PartlyQueued(Unavailable):
    """The mail queue refused a message after others of the same email had been queued: a caller
    that retries the whole email would send those contacts a second copy."""

    def __init__(self, message: str, queued_to: list[str]) -> None:
        super().__init__(message)
        self.queued_to = queued_to


def wants(contact: Contact, category: str) -> bool:
    return bool(getattr(contact, f"wants_{category}"))


def preferences_token(business_id: str, contact: Contact) -> str:
    """The contact's preferences token, minted on their first email (kept: old emails keep working)."""
    if contact.preferences_token:
        return contact.preferences_token
    token = new_token()
    tokens.new_token_item(token, tokens.EMAIL_PREFERENCES, business_id, f"{contact.client_id}:{contact.contact_id}",
                          iso(clock.now())).save(condition=tokens.Token.pk.does_not_exist())
    try:
        conditional(lambda: contact.update(actions=[Contact.preferences_token.set(token)],
                                           condition=Contact.preferences_token.does_not_exist()), "Already set.")
    except Conflict:
        contact.refresh(consistent_read=True)  # another email minted one first: use theirs
        tokens.Token(tokens.token_pk(token), "TOKEN").delete()
    return str(contact.preferences_token)


def preferences_url(token: str) -> str:
    return f"{settings().public_base_url}/email-preferences/{token}"


def email_contact(business: Business, contact: Contact, category: str, kind: str, data: Mapping[str, Any],
                  client_locale: str | None = None) -> bool:
    """Render the email of `kind` (email_render) for one contact and queue it if they want
    `category`; False when they opted out. It greets them by name and carries their
    preferences link and RFC 8058 one-click unsubscribe headers."""
    if category not in CATEGORIES:
        raise ValueError(category)
    if not wants(contact, category):
        return False
    url = preferences_url(preferences_token(business.business_id, contact))
    rendered = email_render.render(kind, email_render.brand_of(business, client_locale),
                                   {**data, "contact_name": contact.name}, preferences_url=url)
    mail.enqueue(email_render.to_email(contact.email, rendered, headers={
        # RFC 8058: mail clients show "Unsubscribe" and POST here, without opening a page.
        "List-Unsubscribe": f"<{url}/unsubscribe>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }))
    return True


def send_to_contact(business_id: str, contact: Contact, category: str, subject: str, text: str) -> bool:
    """Queue an email of plain words (the `message` kind, branded like the rest) if the contact
    wants `category`; False when they opted out. Callers with a template use `email_contact`."""
    business = get_business(business_id)
    if business is None:
        raise NotFound("Business not found.")
    client = get_client(business_id, contact.client_id)
    return email_contact(business, contact, category, "message", {"title": subject, "body": text},
                         client.locale if client else None)


def recipients(business_id: str, client_id: str) -> list[Contact]:
    """Who gets a client's invoice emails: the primary contact, or every contact if none is primary."""
    contacts = list_contacts(business_id, client_id)
    primary = [c for c in contacts if c.is_primary]
    if not contacts:
        raise NotFound("This client has no contact to email.", field="client_id")
    return primary or contacts


def email_client(business: Business, client_id: str, category: str, kind: str, data: Mapping[str, Any]) -> Outcome:
    """The email of `kind` to the client's invoice recipients (`recipients`) who want `category`,
    in the client's locale (else the business's). Raises NotFound without a contact, and
    PartlyQueued when the queue refused after some contacts were queued."""
    client = get_client(business.business_id, client_id)
    locale = client.locale if client else None
    sent: list[str] = []
    skipped: list[str] = []
    for contact in recipients(business.business_id, client_id):
        try:
            wanted = email_contact(business, contact, category, kind, data, locale)
        except Unavailable as e:
            if sent:
                raise PartlyQueued(str(e), sent) from e
            raise
        (sent if wanted else skipped).append(contact.email)
    return Outcome(sent, skipped)


def send_to_client(business_id: str, client_id: str, category: str, subject: str, text: str) -> Outcome:
    """Plain words (the `message` kind) to the client's invoice recipients; see `email_client`."""
    business = get_business(business_id)
    if business is None:
        raise NotFound("Business not found.")
    return email_client(business, client_id, category, "message", {"title": subject, "body": text})
