"""Who is this contact, and are they still current? One answer for every client route.

A contact reaches Paydrop through its portal link (`/portal/{token}`) or a session cookie
(`/portal/me/…`, `/files`, a download while signed in). Every one of those requests reads the
contact item — inside a BatchGet the page already makes, so no page pays an extra call — and
asks this module whether the contact is still the one the link or cookie was given to:

- a **portal link** is current while its contact exists and still holds that very token;
- a **session** is current while its contact exists, for the same client, with the address
  it signed in with, at the session generation the cookie carries.

Removing a contact, changing its address and signing out change exactly those facts (and the
first two also delete the link's token item), so the next request fails here, whichever
route it is. The decision is made on the request's own read: a request already past this
check when the contact is removed finishes (at most that in-flight one); none after it does.
"""
from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.services.identity.client_sessions import ClientSession
from chalicelib.store import tokens
from chalicelib.store.businesses import Business, business_pk
from chalicelib.store.clients import Contact, client_sk, contact_sk
from chalicelib.store.table import BaseItem, conditional

Key = tuple[str, str]
SIGNED_OUT = "You are signed out. Sign in again with the link from your email."


@dataclass(frozen=True)
class Current:
    """A contact whose link or session was checked on this request, with its business."""

    business: Business
    contact: Contact
    client_locale: str | None = None  # the client's own locale for its pages (read in the same BatchGet)


def contact_key(business_id: str, client_id: str, contact_id: str) -> Key:
    return business_pk(business_id), contact_sk(client_id, contact_id)


def link_is_current(contact: Contact | None, token: str) -> bool:
    # The token item alone is not trusted: a contact removed by an older code path, or a link
    # replaced while this request ran, leaves the contact without this token.
    return contact is not None and contact.portal_token == token


def session_is_current(contact: Contact | None, session: ClientSession) -> bool:
    return (contact is not None and contact.client_id == session.client_id
            and contact.email.lower() == session.email.lower()
            and int(contact.session_generation or 0) == session.generation)


def read(business_id: str, client_id: str, contact_id: str,
         extra: list[Key] | None = None) -> tuple[Business | None, Contact | None, dict[Key, BaseItem]]:
    """The business profile, the contact, its client (for its locale) and `extra` items: one BatchGet."""
    keys = [(business_pk(business_id), "PROFILE"), contact_key(business_id, client_id, contact_id),
            (business_pk(business_id), client_sk(client_id)), *(extra or [])]
    found = {(i.pk, i.sk): i for i in BaseItem.batch_get(keys)}
    business, contact = found.get(keys[0]), found.get(keys[1])
    return (business if isinstance(business, Business) else None,
            contact if isinstance(contact, Contact) else None, found)


def for_session(session: ClientSession) -> Current:
    """The signed-in contact, checked against its stored state. Raises NotFound (signed out)."""
    business, contact, found = read(session.business_id, session.client_id, session.contact_id)
    if business is None or contact is None or not session_is_current(contact, session):
        raise NotFound(SIGNED_OUT)
    return Current(business, contact, _client_locale(found, session.business_id, session.client_id))


def for_link(token_item: tokens.Token, token: str, not_found: str) -> Current:
    """The contact behind a portal link's token item, checked against its stored state. Raises NotFound."""
    client_id, _, contact_id = token_item.target_id.partition(":")
    business, contact, found = read(token_item.business_id, client_id, contact_id)
    if business is None or contact is None or not link_is_current(contact, token):
        raise NotFound(not_found)
    return Current(business, contact, _client_locale(found, token_item.business_id, client_id))


def _client_locale(found: dict[Key, BaseItem], business_id: str, client_id: str) -> str | None:
    client = found.get((business_pk(business_id), client_sk(client_id)))
    return getattr(client, "locale", None)


# --- ending access --------------------------------------------------------------------


def end_sessions(session: ClientSession) -> None:
    """Sign-out: move the contact's generation on, ending this cookie and every other one.

    Conditional on the cookie's generation, so replaying an already-ended cookie changes
    nothing, and a contact that no longer exists is not written back.
    """
    contact = Contact(*contact_key(session.business_id, session.client_id, session.contact_id))
    same = Contact.session_generation == session.generation
    if session.generation == 0:
        same |= Contact.session_generation.does_not_exist()  # contacts from before generations existed
    with suppress(Conflict):  # already ended, or the contact was removed: nothing left to end
        conditional(lambda: contact.update(actions=[Contact.session_generation.add(1)],
                                           condition=Contact.pk.exists() & same),
                    SIGNED_OUT)


def end_all(tx: TransactWrite, contact: Contact, removed: bool) -> list[Action]:
    """Add to `tx` what ends a contact's portal link and sessions: the link's token item goes, and
    either the contact itself (`removed`) or — for a new address — the returned update actions
    (generation moved on, link cleared) are for the caller's update of the contact."""
    if contact.portal_token:
        tx.delete(tokens.Token(tokens.token_pk(contact.portal_token), "TOKEN"))
    if removed:
        tx.delete(contact, condition=Contact.pk.exists())
        return []
    actions: list[Action] = [Contact.session_generation.add(1)]
    if contact.portal_token:
        actions.append(Contact.portal_token.remove())
    return actions
