"""Marketing email is opt-in: a new contact has it off; a choice already stored is kept as it is."""
from __future__ import annotations

from typing import Any

from chalicelib.store.businesses import business_pk
from chalicelib.store.clients import Contact, contact_sk, get_contact, new_contact


def test_a_new_contact_gets_no_marketing_until_it_says_yes(aws: Any) -> None:
    contact = new_contact("biz-optin", "cl-1", "ct-1", name="Ann", email="ann@client.test",
                          created_at="2026-12-01T10:00:00Z", updated_at="2026-12-01T10:00:00Z")
    assert contact.wants_marketing is False
    assert contact.wants_documents is True and contact.wants_reminders is True  # what they asked for still comes
    contact.save()
    assert get_contact("biz-optin", "cl-1", "ct-1").wants_marketing is False  # type: ignore[union-attr]


def test_an_existing_contacts_stored_yes_is_kept(aws: Any) -> None:
    # A contact saved before the change, with marketing on, as the old default stored it.
    Contact(business_pk("biz-optin"), contact_sk("cl-2", "ct-2"), contact_id="ct-2", client_id="cl-2", name="Bo",
            email="bo@client.test", wants_marketing=True, created_at="2025-01-01T00:00:00Z",
            updated_at="2025-01-01T00:00:00Z").save()
    assert get_contact("biz-optin", "cl-2", "ct-2").wants_marketing is True  # type: ignore[union-attr]
