"""Clients sign in without a password: a one-time link by email, then a session cookie.

A sign-in link is a 256-bit token stored only as its SHA-256, valid for 15 minutes and
for one use (consumed by a conditional delete, so two clicks cannot both sign in). The
same links verify the address of someone claiming a claim link. Requests are rate-limited
per address and per IP, and answer the same whether or not the address is known.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib import clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.tokens import new_token
from chalicelib.services.identity import client_sessions
from chalicelib.services.notifications import email_render
from chalicelib.store import tokens
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.clients import Contact, contacts_with_email, get_contact
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import iso

LINK_MINUTES = 15
LINK_INVALID = "This sign-in link has expired or was already used. Ask for a new one."
PER_ADDRESS, PER_IP, WINDOW = 5, 30, 900  # sign-in emails per address, and per IP and business, in 15 minutes


@dataclass(frozen=True)
class SignIn:
    """A consumed sign-in link: who it was for and what they came to do."""

    business_id: str
    email: str
    contact: Contact | None  # None when the link verifies an address for a claim
    claim_target: str | None  # the claimed grant's token target


def limit_requests(business_id: str, email: str, ip: str | None) -> None:
    now = clock.now()
    message = "Too many sign-in emails were requested. Wait a few minutes and try again."
    hit(f"signin#{business_id}#{email.lower()}", PER_ADDRESS, WINDOW, now, message)
    if ip:
        # Per business too: one busy office behind a NAT cannot lock out another business's clients.
        hit(f"signin-ip#{business_id}#{ip}", PER_IP, WINDOW, now, message)


def find_business(business_id: str) -> Business:
    business = get_business(business_id)
    if business is None:
        raise NotFound("This page does not exist.")
    return business


def send_link(business: Business, email: str, target: str, link_base: str, kind: str,
              data: Mapping[str, Any] | None = None) -> None:
    """Mint a one-time link for `email` and send it in the email of `kind` (`email/sign_in.html`,
    `email/claim.html`): the link is its `url`, valid for `minutes`."""
    token = new_token()
    now = clock.now()
    tokens.new_token_item(token, tokens.CLIENT_SIGN_IN, business.business_id, target, iso(now), email=email.lower(),
                          expires_at=now + timedelta(minutes=LINK_MINUTES)).save(
        condition=tokens.Token.pk.does_not_exist())
    link = f"{link_base}/signin/confirm/{token}"
    email_render.send(email, kind, business, {**(data or {}), "url": link, "minutes": LINK_MINUTES})


def request_sign_in(business_id: str, email: str, ip: str | None, link_base: str) -> None:
    """Email a sign-in link if `email` belongs to a contact of the business; the answer is the same either way."""
    business = find_business(business_id)
    limit_requests(business_id, email, ip)
    contacts = contacts_with_email(business_id, email)
    if not contacts:
        return  # saying so would tell strangers who the business's clients are
    contact = contacts[0]
    # The generation in the target: an address change or a removal in the next 15 minutes
    # kills the link too (`contact_for`), not only the sessions it would have started.
    target = f"contact:{contact.client_id}:{contact.contact_id}:{int(contact.session_generation or 0)}"
    send_link(business, email, target, link_base, "sign_in")


def pending_link(token: str) -> tokens.Token:
    """The unexpired, unused sign-in link behind `token` (not consumed), whose contact is still
    current (a claim link's address is checked when it is used). Raises NotFound."""
    item = tokens.unexpired_link(token, tokens.CLIENT_SIGN_IN, clock.now())
    if item is None:
        raise NotFound(LINK_INVALID)
    if not item.target_id.startswith("claim:"):
        contact_for(item)
    return item


def contact_for(item: tokens.Token) -> Contact:
    """The contact a sign-in link was sent to, if it still exists at the same address and session
    generation (removal and an address change end pending links). Raises NotFound."""
    client_id, _, rest = item.target_id.partition(":")[2].partition(":")
    contact_id, _, generation = rest.partition(":")
    contact = get_contact(item.business_id, client_id, contact_id)
    if contact is None or contact.email.lower() != str(item.email) \
            or str(int(contact.session_generation or 0)) != (generation or "0"):
        raise NotFound(LINK_INVALID)
    return contact


def consume(token: str) -> SignIn:
    """Use a sign-in link: exactly one of any concurrent uses gets through. Raises NotFound."""
    item = pending_link(token)
    tokens.use_once(item, LINK_INVALID)
    kind, _, rest = item.target_id.partition(":")
    email = str(item.email)
    if kind == "claim":
        return SignIn(item.business_id, email, None, rest)
    # Read again after the delete: a removal or new address between the form and the click counts.
    return SignIn(item.business_id, email, contact_for(item), None)


def session_cookie(business_id: str, contact: Contact) -> str:
    return client_sessions.issue(business_id=business_id, client_id=contact.client_id, contact_id=contact.contact_id,
                                 email=contact.email, generation=int(contact.session_generation or 0))
