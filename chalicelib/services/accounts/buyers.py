"""The business's contact for an email address, made once: who a payment, a claim or a sign-up
belongs to when the person arrives with only an address (self-registration, buy links).

An address already a contact of the business is that contact (the oldest, if several clients
share it) — never a duplicate. A new address becomes a new client with that one contact, written
in one transaction with a hold on the address (store/address_holds): the contact index cannot
refuse a second item with the same address, so two requests racing for one new address collide
on the hold instead and the loser finds the winner's contact.
"""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib import clock
from chalicelib.domain.errors import Conflict
from chalicelib.domain.tokens import new_id
from chalicelib.store import clients as client_store
from chalicelib.store.address_holds import address_hold
from chalicelib.store.table import iso, transaction


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    company: str | None = None  # the client's name when given; else the person's name
    note: str | None = None  # on a new client: how it came to be ("Registered through the registration page.")


def contact_for(business_id: str, person: Person) -> tuple[client_store.Contact, bool]:
    """The contact with `person.email` and whether it was created now."""
    known = client_store.contacts_with_email(business_id, person.email)
    if known:
        return known[0], False
    try:
        return _create(business_id, person), True
    except Conflict:
        again = client_store.contacts_with_email(business_id, person.email)
        if again:
            return again[0], False  # another request for this address won the race
        raise


def _create(business_id: str, person: Person) -> client_store.Contact:
    now = clock.now()
    stamp, email = iso(now), person.email.strip().lower()
    client = client_store.new_client(business_id, new_id(), name=person.company or person.name, email=email,
                                     notes=person.note, created_at=stamp, updated_at=stamp)
    contact = client_store.new_contact(business_id, client.client_id, new_id(), name=person.name, email=email,
                                       is_primary=True, created_at=stamp, updated_at=stamp)
    hold, free = address_hold(business_id, email, now)
    with transaction() as tx:
        tx.save(client, condition=client_store.Client.pk.does_not_exist())
        tx.save(contact, condition=client_store.Contact.pk.does_not_exist())
        tx.save(hold, condition=free)
    return contact
