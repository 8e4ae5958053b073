"""Clients and their contacts."""
from __future__ import annotations

from chalicelib import clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.inputs import ClientInput, ClientUpdate, ContactInput, ContactUpdate
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import new_id
from chalicelib.services.identity import contact_access
from chalicelib.services.notifications.email_render import check_locale
from chalicelib.store import clients as store
from chalicelib.store.table import iso, save_new, transaction, update_item


def create_client(principal: Principal, data: ClientInput) -> tuple[store.Client, list[store.Contact]]:
    """A client and its first contacts, written together or not at all."""
    now = iso(clock.now())
    fields = data.given()
    check_locale(fields.get("locale"))
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
    changes = data.given()
    check_locale(changes.get("locale"))
    update_item(client, changes, iso(clock.now()))
    return client


def list_clients(principal: Principal, limit: int, cursor: str | None) -> tuple[list[store.Client], str | None]:
    return store.list_clients(principal.business_id, limit, cursor)


def contacts_of(principal: Principal, client_id: str) -> list[store.Contact]:
    return store.list_contacts(principal.business_id, client_id)


def add_contact(principal: Principal, client_id: str, data: ContactInput) -> store.Contact:
    get_client(principal, client_id)
    now = iso(clock.now())
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
    if "email" in changes and str(changes["email"]).strip().lower() != contact.email.lower():
        _change_address(contact, changes, iso(clock.now()))
        return store.get_contact(principal.business_id, client_id, contact_id) or contact  # a transaction returns nothing
    update_item(contact, changes, iso(clock.now()))
    return contact


def _change_address(contact: store.Contact, changes: dict[str, object], now: str) -> None:
    """A new address is a new person as far as access goes: whoever reads the old mailbox
    loses the portal link, every session and every pending sign-in link, in the same
    transaction that changes the address."""
    cls = type(contact)
    actions = [getattr(cls, k).set(v) if v is not None else getattr(cls, k).remove() for k, v in changes.items()]
    actions.append(cls.updated_at.set(now))
    with transaction() as tx:
        actions += contact_access.end_all(tx, contact, removed=False)
        tx.update(contact, actions=actions, condition=cls.pk.exists())


def remove_contact(principal: Principal, client_id: str, contact_id: str) -> None:
    """The contact, its portal link and (by the contact's absence) its sessions and sign-in links
    end together: one transaction."""
    contact = _contact(principal, client_id, contact_id)
    with transaction() as tx:
        contact_access.end_all(tx, contact, removed=True)
