"""Fixtures of the worker tests: the webhooks worker, the inbound-mail worker and a conversation
with the contact's reply address (what an email reply is sent to)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, QueueWorker
from tests.support.messaging import Talk, talk
from tests.support.webhooks import receiver, webhooks_worker  # noqa: F401 - fixtures (the webhooks worker)

inbound_mail_worker = QueueWorker("inbound_mail_worker", "inbound_mail_queue_url")


@pytest.fixture
def worker(chalice_app: Any) -> QueueWorker:
    """The inbound-mail worker, its queue emptied."""
    inbound_mail_worker.discard()
    return inbound_mail_worker


@pytest.fixture
def conversation(tenant: Any, anonymous: Api, worker: QueueWorker) -> tuple[Talk, str]:
    """A conversation the team wrote in, and the contact's reply address from that notification."""
    from chalicelib.store.notifications import contact_recipient, list_inbox

    t = talk(tenant, anonymous)
    assert tenant.api.post("/api/v1/conversations", {"client_id": t.client_id, "text": "Second draft attached"}).status == 201
    [note], _ = list_inbox(tenant.business_id, contact_recipient(t.client_id, t.contact_id), 10, None)
    return t, str(note.reply_to)
