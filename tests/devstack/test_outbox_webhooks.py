"""`make dev`'s webhook receiver in the outbox: deliveries recorded with their signature verified
against the endpoint's secret, and a resent event marked duplicate (receivers dedupe by event id)."""
from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.config import reset_settings
from chalicelib.domain.developer_inputs import EndpointInput
from chalicelib.domain.permissions import ROLE_PERMISSIONS
from chalicelib.domain.principal import Principal
from chalicelib.services.developer import deliveries, endpoints, events
from devstack.outbox import start_outbox_server
from devstack.server import webhook_receiver
from tests.conftest import Tenant
from tests.support.webhooks import WEBHOOKS_WORKER


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch, chalice_app: Any) -> Iterator[str]:
    server = start_outbox_server(0)
    url = webhook_receiver(server)
    monkeypatch.setenv("WEBHOOKS_DEV_RECEIVER", url)
    reset_settings()
    yield url
    server.shutdown()
    server.server_close()
    monkeypatch.delenv("WEBHOOKS_DEV_RECEIVER")
    reset_settings()


@pytest.fixture
def worker(chalice_app: Any) -> Any:
    WEBHOOKS_WORKER.discard()
    return WEBHOOKS_WORKER


def received(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(url + ".json", timeout=10) as reply:
        return json.loads(reply.read())  # type: ignore[no-any-return]


def test_the_outbox_verifies_and_dedupes_what_it_receives(tenant: Tenant, inbox: str, worker: Any) -> None:
    owner = Principal("u", tenant.email, tenant.business_id, ("owner",), ROLE_PERMISSIONS["owner"])
    endpoint, _ = endpoints.create_endpoint(owner, EndpointInput(url=inbox, events=["invoice.paid"]))
    event_id = events.emit(tenant.business_id, "invoice.paid", {"id": "inv1"})
    worker.drain()
    mine = [r for r in received(inbox) if r["event_id"] == event_id]
    assert [(r["type"], r["verified"], r["duplicate"]) for r in mine] == [("invoice.paid", True, False)]
    items, _ = deliveries.list_deliveries(owner, endpoint.endpoint_id, 5, None)
    deliveries.resend(owner, endpoint.endpoint_id, items[0].delivery_id)
    worker.drain()
    mine = [r for r in received(inbox) if r["event_id"] == event_id]
    assert [r["duplicate"] for r in mine] == [True, False]  # newest first
    with urllib.request.urlopen(inbox, timeout=10) as reply:
        page = reply.read().decode()
    assert event_id in page and "verified" in page and "duplicate" in page
