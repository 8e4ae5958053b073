"""The no-login email preferences page behind the link in every email to a contact."""
from __future__ import annotations

from chalicelib import clock
from chalicelib.domain.errors import NotFound, ValidationError
from chalicelib.domain.inputs import EmailPreferences
from chalicelib.domain.tokens import looks_like_token, token_hash
from chalicelib.services.notifications.notifications import ACTIVITY, CATEGORIES
from chalicelib.store import tokens
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.clients import Contact, get_contact
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import iso, update_item

NOT_FOUND = "This link is not valid."
PER_LINK, PER_IP, WINDOW = 20, 60, 600  # changes per 10 minutes


def open_preferences(token: str) -> tuple[Business, Contact]:
    item = tokens.find_token(token, tokens.EMAIL_PREFERENCES) if looks_like_token(token) else None
    if item is None:
        raise NotFound(NOT_FOUND)
    client_id, _, contact_id = item.target_id.partition(":")
    contact, business = get_contact(item.business_id, client_id, contact_id), get_business(item.business_id)
    if contact is None or business is None:
        raise NotFound(NOT_FOUND)
    return business, contact


def current(contact: Contact) -> dict[str, bool]:
    return {c: bool(getattr(contact, f"wants_{c}")) for c in CATEGORIES}


def limit_changes(token: str, ip: str | None) -> None:
    now, message = clock.now(), "Too many changes. Wait a few minutes and try again."
    hit(f"prefs#{token_hash(token)}", PER_LINK, WINDOW, now, message)
    if ip:
        hit(f"prefs-ip#{ip}", PER_IP, WINDOW, now, message)


def update_preferences(token: str, changes: EmailPreferences, ip: str | None) -> dict[str, bool]:
    """Apply the given keys; the next email honours them."""
    limit_changes(token, ip)
    _, contact = open_preferences(token)
    given = {f"wants_{name}": value for name, value in changes.given().items()}
    if given:
        update_item(contact, given, iso(clock.now()))
    return current(contact)


def unsubscribe_all(token: str, ip: str | None) -> dict[str, bool]:
    """RFC 8058 one-click: no more documents, reminders or marketing."""
    return update_preferences(token, EmailPreferences(documents=False, reminders=False, marketing=False), ip)


def categories_of(raw: str | None) -> list[str] | None:
    """The `categories=messages,files` of a digest's one-click URL; None when absent. Raises ValidationError."""
    if raw is None:
        return None
    names = [n for n in raw.split(",") if n]
    if not names or len(names) > len(ACTIVITY) or any(n not in ACTIVITY for n in names):
        raise ValidationError(f"categories lists some of: {', '.join(ACTIVITY)}.", field="categories")
    return names


def unsubscribe(token: str, categories: list[str] | None, ip: str | None) -> dict[str, bool]:
    """RFC 8058 one-click: a digest's link turns off the kinds of activity it carried and nothing
    else; a link without categories (invoices, reminders, receipts) turns off those emails."""
    if categories is None:
        return unsubscribe_all(token, ip)
    return update_preferences(token, EmailPreferences(**{c: False for c in categories}), ip)
