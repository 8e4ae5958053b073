"""The portal's Account tab: the contact's own name, phone and address, and changing them.

Name and phone change at once (one conditional update of the contact: a contact removed
meanwhile is not written back). The address changes only through a confirmation sent to the
new one (`services/identity/email_change.py`).
"""
from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.self_service_inputs import ProfileInput, clean_name, phone_number
from chalicelib.services.identity import email_change
from chalicelib.services.portal.portal import NOT_FOUND, PortalAccess, business_for
from chalicelib.store.clients import Contact, get_contact
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import iso, update_item


def _contact(access: PortalAccess) -> Contact:
    contact = get_contact(access.business_id, access.client_id, access.contact_id)
    if contact is None:
        raise NotFound(NOT_FOUND)
    return contact


SAVES_PER_WINDOW, WINDOW = 20, 900  # account changes per contact (five times that per IP) in 15 minutes
NOTICES = ("saved", "email")  # `?notice=`: what the tab confirms after a save or an address change


def account_tab(access: PortalAccess, notice: str | None = None) -> dict[str, Any]:
    contact = _contact(access)
    return {"name": contact.name, "email": contact.email, "phone": contact.phone or "",
            "notice": notice if notice in NOTICES else None}


def update_profile(access: PortalAccess, data: ProfileInput) -> dict[str, Any]:
    """Set the contact's name and phone (checked first: nothing is written on bad input)."""
    name, phone = clean_name(data.name), phone_number(data.phone)
    contact = _contact(access)
    update_item(contact, {"name": name, "phone": phone}, iso(clock.now()), condition=Contact.pk.exists(),
                message=NOT_FOUND)
    return {"name": name, "email": contact.email, "phone": phone or ""}


def request_email_change(access: PortalAccess, new_email: str, ip: str | None, link_base: str) -> None:
    email_change.request_change(business_for(access), _contact(access), new_email, ip, link_base)



def limit_changes(access: PortalAccess, ip: str | None) -> None:
    """Every Account form post counts, per contact and per IP of the business. Raises TooManyRequests."""
    message = "Too many changes at once. Wait a few minutes and try again."
    hit(f"account#{access.business_id}#{access.contact_id}", SAVES_PER_WINDOW, WINDOW, clock.now(), message)
    if ip:
        hit(f"account-ip#{access.business_id}#{ip}", SAVES_PER_WINDOW * 5, WINDOW, clock.now(), message)
