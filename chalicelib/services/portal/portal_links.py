"""Staff: regenerating a contact's portal link (revoke + a new token, atomically).

Revoking and minting live in `portal.py`; this module only swaps one token for another, so a
link that leaked can be replaced without a moment in which the contact has no link at all.
"""
from __future__ import annotations

from chalicelib import clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import new_token
from chalicelib.services.accounts.clients import get_client
from chalicelib.services.portal.portal import portal_link
from chalicelib.store import tokens
from chalicelib.store.clients import Contact, get_contact
from chalicelib.store.table import iso, transaction


def regenerate_portal_link(principal: Principal, client_id: str, contact_id: str) -> str:
    """The contact's new portal token; the old URL answers 404 from the next request on.

    One transaction deletes the old token item, saves the new one and points the contact at it
    (conditional on the contact still holding the old token: of two clicks at once one wins,
    the other gets a 409 and the contact keeps exactly one working link)."""
    get_client(principal, client_id)
    contact = get_contact(principal.business_id, client_id, contact_id)
    if contact is None:
        raise NotFound("Contact not found.", field="contact_id")
    old = contact.portal_token
    if not old:
        return portal_link(principal, client_id, contact_id)
    token = new_token()
    item = tokens.new_token_item(token, tokens.PORTAL, principal.business_id, f"{client_id}:{contact_id}", iso(clock.now()))
    with transaction() as tx:
        tx.delete(tokens.Token(tokens.token_pk(old), "TOKEN"), condition=tokens.Token.pk.exists())
        tx.save(item, condition=tokens.Token.pk.does_not_exist())
        tx.update(contact, actions=[Contact.portal_token.set(token)],
                  condition=Contact.pk.exists() & (Contact.portal_token == old))
    return token
