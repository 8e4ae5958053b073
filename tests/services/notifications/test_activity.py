"""Activity lands in the notification list of everyone it concerns, never in the actor's own."""
from __future__ import annotations

from typing import Any

import pytest


def test_client_activity_reaches_every_contact_but_the_actor(tenant: Any) -> None:
    from chalicelib.services.notifications.activity import CLIENT, Activity, record
    from chalicelib.store import notifications as store
    from chalicelib.store.clients import list_contacts

    reply = tenant.api.post("/api/v1/clients", {"name": "Two People Ltd", "contacts": [
        {"name": "Ada", "email": "ada@two.test"}, {"name": "Bob", "email": "bob@two.test"}]})
    client_id = reply.json["client_id"]
    ada, bob = sorted(list_contacts(tenant.business_id, client_id), key=lambda c: c.name)
    record(Activity(tenant.business_id, client_id, "messages", CLIENT, "New message from Ada",
                    actor=store.contact_recipient(client_id, ada.contact_id)))
    bobs, _ = store.list_inbox(tenant.business_id, store.contact_recipient(client_id, bob.contact_id), 10, None)
    adas, _ = store.list_inbox(tenant.business_id, store.contact_recipient(client_id, ada.contact_id), 10, None)
    assert [n.title for n in bobs] == ["New message from Ada"] and adas == []


def test_staff_activity_lands_in_the_team_inbox(tenant: Any) -> None:
    from chalicelib.services.notifications.activity import STAFF, Activity, record
    from chalicelib.store import notifications as store

    client_id = tenant.client_id()
    record(Activity(tenant.business_id, client_id, "decisions", STAFF, "Ada approved Logo v2"))
    items, _ = store.list_inbox(tenant.business_id, store.STAFF, 10, None)
    assert [(n.title, n.read_at) for n in items] == [("Ada approved Logo v2", None)]


def test_an_unknown_category_is_refused(tenant: Any) -> None:
    from chalicelib.services.notifications.activity import CLIENT, Activity, record

    with pytest.raises(ValueError):
        record(Activity(tenant.business_id, tenant.client_id(), "gossip", CLIENT, "?"))
