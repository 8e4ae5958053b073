"""Clients and their contacts."""
from __future__ import annotations

from chalicelib.domain.errors import NotFound
from chalicelib.domain.inputs import ClientInput, ClientUpdate, ContactInput, ContactUpdate
from chalicelib.domain.tokens import new_id
from chalicelib.services.auth import Principal
from chalicelib.store import clients as store
from chalicelib.store.table import delete_item, iso, save_new, transaction, update_item, utcnow


def create_client(principal: Principal, data: ClientInput) -> tuple[store.Client, list[store.Contact]]:
    """A client and its first contacts, written together or not at all."""
    now = iso(utcnow())
    fields = data.given()
    contacts_in: list[ContactInput] = fields.pop("contacts", [])  # type: ignore[assignment]
    client = store.new_client(
        principal.business_id, new_id(), created_at=now, updated_at=now, **fields
    )
    contacts = [
        store.new_contact(
            principal.business_id, client.client_id, new_id(),
            created_at=now, updated_at=now, **c.given(),
        )
        for c in contacts_in
    ]
    with transaction() as tx:
        for item in [client, *contacts]:
            tx.save(item, condition=store.Client.pk.does_not_exist())
    return client, contacts


def get_client(principal: Principal, client_id: str) -> store.Client:
    client = store.get_client(principal.business_id, client_id)
    if client is None:
        raise NotFound("Client not found.", field="client_id")
    return client


def update_client(principal: Principal, client_id: str, data: ClientUpdate) -> store.Client:
    client = get_client(principal, client_id)
    update_item(client, data.given(), iso(utcnow()))
    return client


def list_clients(principal: Principal, limit: int, cursor: str | None) -> tuple[list[store.Client], str | None]:
    return store.list_clients(principal.business_id, limit, cursor)


def contacts_of(principal: Principal, client_id: str) -> list[store.Contact]:
    return store.list_contacts(principal.business_id, client_id)


def add_contact(principal: Principal, client_id: str, data: ContactInput) -> store.Contact:
    get_client(principal, client_id)
    now = iso(utcnow())
    contact = store.new_contact(
        principal.business_id, client_id, new_id(), created_at=now, updated_at=now, **data.given()
    )
    save_new(contact)
    return contact


def _contact(principal: Principal, client_id: str, contact_id: str) -> store.Contact:
    contact = store.get_contact(principal.business_id, client_id, contact_id)
    if contact is None:
        raise NotFound("Contact not found.", field="contact_id")
    return contact


def update_contact(principal: Principal, client_id: str, contact_id: str, data: ContactUpdate) -> store.Contact:
    contact = _contact(principal, client_id, contact_id)
    changes = data.given()
    if "email" in changes:
        changes["gsi1pk"] = store.email_pk(principal.business_id, str(changes["email"]))
    update_item(contact, changes, iso(utcnow()))
    return contact


def remove_contact(principal: Principal, client_id: str, contact_id: str) -> None:
    delete_item(_contact(principal, client_id, contact_id))
