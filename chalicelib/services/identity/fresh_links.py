""""Email me a fresh link" from a dead-end page (link not found, access withdrawn, limit reached,
already claimed, check your email).

When the page knew the business the dead link belonged to, a sign-in link goes to the address
only if it is a contact of that business (client_sign_in.request_sign_in, whose limits apply).
Either way — known contact, stranger, unknown or made-up business — the same rate-limit writes
happen and the caller answers with the same words, so the page tells nobody who is a client.
"""
from __future__ import annotations

from chalicelib import clock
from chalicelib.domain.errors import NotFound
from chalicelib.services.identity import client_sign_in
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.rate_limits import hit

PER_ADDRESS = 3  # per 15 minutes, whatever the business: a mailbox is not flooded through this form
PER_IP = 10
WINDOW = 15 * 60
TOO_MANY = "Too many links were asked for. Wait a few minutes and try again."


def request_fresh_link(business_id: str | None, email: str, ip: str | None, link_base: str) -> None:
    """Send a sign-in link if `email` is a contact of `business_id`; raises only TooManyRequests."""
    now = clock.now()
    hit(f"fresh-link#{email.strip().lower()}", PER_ADDRESS, WINDOW, now, TOO_MANY)
    if ip:
        hit(f"fresh-link-ip#{ip}", PER_IP, WINDOW, now, TOO_MANY)
    if not business_id:
        return  # the page could not tell whose link it was: nobody to ask, and it says so
    try:
        client_sign_in.request_sign_in(business_id, email, ip, link_base)
    except NotFound:
        return  # a made-up business reads the same as a stranger's address


def business_of(business_id: str | None) -> Business | None:
    """The business whose colours the answer page wears, if the form named one that exists."""
    return get_business(business_id) if business_id else None
