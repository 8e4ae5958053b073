"""Self-registration: a business may let new clients sign themselves up on a public page.

Off by default (`Business.self_registration`). Turning it on mints the page's token: the page
is `/register/{token}`, a 256-bit token stored only as its SHA-256 (never the business id, so
the URL tells nothing about which business or how many there are); staff rotate it to close an
old URL that leaked, and turning it off deletes it (every URL answers 404).

The form (name, company, email) is rate-limited per IP and per business and answers the same
whether or not the address is known. A known address gets a sign-in link (never a second
contact); a new one gets a one-time link (24 hours). The client and its contact are created
only when that link is used — in one transaction with a hold on the address (store/address_holds),
so two links for one address create one client — and the click signs the new contact in.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib import clock
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.principal import Principal
from chalicelib.domain.self_service_inputs import RegistrationInput, clean_name
from chalicelib.domain.tokens import looks_like_token, new_token
from chalicelib.services.accounts import buyers
from chalicelib.services.identity import client_sign_in
from chalicelib.services.notifications import email_render
from chalicelib.store import clients as client_store
from chalicelib.store import tokens
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import iso, transaction

LINK_HOURS = 24
PER_IP, PER_BUSINESS, PER_ADDRESS, WINDOW = 10, 100, 3, 3600  # registrations an hour
PAGE_GONE = "This page does not exist."
LINK_INVALID = "This link has expired or was already used. Register again."


@dataclass(frozen=True)
class Registered:
    business: Business
    contact: client_store.Contact
    created: bool  # False: the address was already a contact (signed in, nothing created)


# --- staff: the setting and the page's URL -----------------------------------------------


def _business(business_id: str) -> Business:
    business = get_business(business_id)
    if business is None:
        raise NotFound("Business not found.")
    return business


def setting(principal: Principal, link_base: str) -> dict[str, Any]:
    business = _business(principal.business_id)
    on = bool(business.self_registration) and bool(business.registration_token)
    return {"enabled": on, "url": f"{link_base}/register/{business.registration_token}" if on else None}


def _replace_token(business: Business, enabled: bool) -> None:
    """One transaction: the old page token goes, a new one (when `enabled`) comes, the business says so."""
    old = business.registration_token
    token = new_token() if enabled else None
    with transaction() as tx:
        if old:
            tx.delete(tokens.Token(tokens.token_pk(old), "TOKEN"))
        if token:
            tx.save(tokens.new_token_item(token, tokens.REGISTRATION, business.business_id, "business",
                                          iso(clock.now())), condition=tokens.Token.pk.does_not_exist())
        same = Business.registration_token == old if old else Business.registration_token.does_not_exist()
        tx.update(business, condition=Business.pk.exists() & same, actions=[
            Business.self_registration.set(enabled), Business.updated_at.set(iso(clock.now())),
            Business.registration_token.set(token) if token else Business.registration_token.remove()])


def set_enabled(principal: Principal, enabled: bool, link_base: str) -> dict[str, Any]:
    business = _business(principal.business_id)
    if enabled != bool(business.self_registration and business.registration_token):
        _replace_token(business, enabled)
    return setting(principal, link_base)


def rotate(principal: Principal, link_base: str) -> dict[str, Any]:
    """A new page URL; the old one answers 404 from now on."""
    business = _business(principal.business_id)
    if not business.self_registration:
        raise Conflict("Turn self-registration on first.")
    _replace_token(business, True)
    return setting(principal, link_base)


# --- the public page ------------------------------------------------------------------


def open_page(token: str) -> Business:
    """The business whose registration page this is, while it is on. Raises NotFound."""
    item = tokens.find_token(token, tokens.REGISTRATION) if looks_like_token(token) else None
    business = get_business(item.business_id) if item is not None else None
    if business is None or not business.self_registration or business.registration_token != token:
        raise NotFound(PAGE_GONE)
    return business


def _limit(business_id: str, email: str, ip: str | None) -> None:
    now, message = clock.now(), "Too many registrations were sent. Wait a while and try again."
    if ip:
        hit(f"register-ip#{business_id}#{ip}", PER_IP, WINDOW, now, message)
    hit(f"register#{business_id}", PER_BUSINESS, WINDOW, now, message)
    hit(f"register-address#{business_id}#{email.lower()}", PER_ADDRESS, WINDOW, now, message)


def register(business: Business, data: RegistrationInput, ip: str | None, link_base: str) -> None:
    """Email the link that finishes registering (or, for a known address, a sign-in link)."""
    name, company = clean_name(data.name), (data.company or "").strip() or None
    _limit(business.business_id, data.email, ip)
    if client_store.contacts_with_email(business.business_id, data.email):
        client_sign_in.request_sign_in(business.business_id, data.email, ip, link_base)
        return
    token, now = new_token(), clock.now()
    tokens.new_token_item(token, tokens.REGISTRATION_VERIFY, business.business_id,
                          json.dumps({"name": name, "company": company}), iso(now), email=data.email,
                          expires_at=now + timedelta(hours=LINK_HOURS)).save(condition=tokens.Token.pk.does_not_exist())
    email_render.send(data.email, "register", business,
                      {"name": name, "url": f"{link_base}/welcome/{token}", "hours": LINK_HOURS})


def pending(token: str) -> tokens.Token:
    item = tokens.unexpired_link(token, tokens.REGISTRATION_VERIFY, clock.now())
    if item is None:
        raise NotFound(LINK_INVALID)
    return item


def complete(token: str) -> Registered:
    """Use the emailed link: the client and its contact, created once (or the existing contact)."""
    item = pending(token)
    tokens.use_once(item, LINK_INVALID)
    business = get_business(item.business_id)
    if business is None or not business.self_registration:
        raise NotFound(PAGE_GONE)
    fields = json.loads(item.target_id)
    contact, created = buyers.contact_for(business.business_id, buyers.Person(
        str(item.email), str(fields["name"]), fields.get("company"), "Registered through the registration page."))
    return Registered(business, contact, created)
