"""Clients of a business and their contacts."""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.businesses import business_pk
from chalicelib.store.table import BaseItem, query_page


class Client(BaseItem, discriminator="client"):
    client_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    tax_number = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    locale = UnicodeAttribute(null=True)  # overrides the business's locale in this client's emails
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    stripe_customer_id = UnicodeAttribute(null=True)  # set once, by services/payments/customers.py


class Contact(BaseItem, discriminator="contact"):
    contact_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    is_primary = BooleanAttribute(default=False)
    portal_token = UnicodeAttribute(null=True)  # the contact's portal link; shown to staff only, like share links
    # What the contact wants to receive; every email to them links to where they change it.
    wants_documents = BooleanAttribute(default=True)
    wants_reminders = BooleanAttribute(default=True)
    # Marketing is opt-in: off for new contacts; a stored choice (either way) is kept as it is.
    wants_marketing = BooleanAttribute(null=True, default_for_new=False)
    # Activity digests (services/notifications/digests.py): on unless the contact turns them off.
    wants_messages = BooleanAttribute(default=True)
    wants_approvals = BooleanAttribute(default=True)
    wants_decisions = BooleanAttribute(default=True)
    wants_milestones = BooleanAttribute(default=True)
    wants_invoices = BooleanAttribute(default=True)
    wants_files = BooleanAttribute(default=True)
    preferences_token = UnicodeAttribute(null=True)
    # Every session cookie carries the generation it was issued at; moving it on (sign-out, a new
    # address) ends them all at their next request. See services/identity/contact_access.py.
    session_generation = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


def client_sk(client_id: str) -> str:
    return f"CLIENT#{client_id}"


def contact_sk(client_id: str, contact_id: str) -> str:
    return f"CONTACT#{client_id}#{contact_id}"


def new_client(business_id: str, client_id: str, **fields: Any) -> Client:
    return Client(business_pk(business_id), client_sk(client_id), client_id=client_id, **fields)


def email_pk(business_id: str, email: str) -> str:
    """The index key that finds a business's contacts by address (client sign-in, claims)."""
    return f"BIZ#{business_id}#EMAIL#{email.strip().lower()}"


def new_contact(business_id: str, client_id: str, contact_id: str, **fields: Any) -> Contact:
    return Contact(
        business_pk(business_id), contact_sk(client_id, contact_id),
        gsi1pk=email_pk(business_id, fields["email"]), gsi1sk=contact_sk(client_id, contact_id),
        contact_id=contact_id, client_id=client_id, **fields,
    )


def contacts_with_email(business_id: str, email: str) -> list[Contact]:
    """The business's contacts with this address (one person can be a contact of several clients),
    oldest first."""
    found = Contact.gsi1.query(email_pk(business_id, email))
    return sorted((c for c in found if isinstance(c, Contact)), key=lambda c: c.created_at)


def get_client(business_id: str, client_id: str) -> Client | None:
    try:
        return Client.get(business_pk(business_id), client_sk(client_id))
    except Client.DoesNotExist:
        return None


def list_clients(business_id: str, limit: int, cursor: str | None) -> tuple[list[Client], str | None]:
    return query_page(Client, business_pk(business_id), "CLIENT#", limit, cursor)


def list_contacts(business_id: str, client_id: str) -> list[Contact]:
    # A client has a handful of contacts: one page always holds them all.
    return list(Contact.query(business_pk(business_id), Contact.sk.startswith(f"CONTACT#{client_id}#")))


def billing_email(business_id: str, client_id: str, bill_to_email: str | None) -> str | None:
    """Where payment emails go: the invoice's billing address, else the client's primary contact."""
    if bill_to_email:
        return bill_to_email
    contacts = sorted(list_contacts(business_id, client_id), key=lambda c: (not c.is_primary, c.created_at))
    return contacts[0].email if contacts else None


def get_contact(business_id: str, client_id: str, contact_id: str) -> Contact | None:
    try:
        return Contact.get(business_pk(business_id), contact_sk(client_id, contact_id))
    except Contact.DoesNotExist:
        return None
