"""The webhooks worker: an event message fans out to one delivery per subscribed endpoint, a delivery
message makes one signed attempt; a message it cannot read fails alone (partial batch response).
The batch is tests/events/sqs/webhooks.json (an event, then a delivery), with this test's ids."""
from __future__ import annotations

import copy
import json
from typing import Any

from chalicelib.domain.developer_inputs import EndpointInput
from chalicelib.domain.permissions import ROLE_PERMISSIONS
from chalicelib.domain.principal import Principal
from chalicelib.services.developer import endpoints, events
from chalicelib.store import webhooks as store
from devstack.pump import LambdaContext
from tests.conftest import Tenant
from tests.support.events import event
from tests.support.webhooks import Receiver


def run(batch: dict[str, Any]) -> dict[str, Any]:
    from app import app

    return app.handler_map["webhooks_worker"](batch, LambdaContext("webhooks_worker"))  # type: ignore[no-any-return]


def with_ids(business_id: str, event_id: str, delivery_id: str) -> dict[str, Any]:
    batch = copy.deepcopy(event("sqs/webhooks"))
    for record in batch["Records"]:
        body = json.loads(record["body"])
        body.update(business_id=business_id, **({"event_id": event_id} if body["kind"] == "event" else
                                                {"delivery_id": delivery_id}))
        record["body"] = json.dumps(body)
    return batch


def test_an_event_fans_out_and_a_delivery_is_attempted(tenant: Tenant, receiver: Receiver, webhooks_worker: Any) -> None:
    owner = Principal("u", tenant.email, tenant.business_id, ("owner",), ROLE_PERMISSIONS["owner"])
    endpoint, _ = endpoints.create_endpoint(owner, EndpointInput(url=receiver.url, events=["grant.released"]))
    event_id = events.emit(tenant.business_id, "grant.released", {"id": "g1"})
    assert event_id
    webhooks_worker.discard()  # the batch below stands for what emit queued
    delivery_id = events.delivery_id_of(event_id, endpoint.endpoint_id)
    reply = run(with_ids(tenant.business_id, event_id, delivery_id))
    assert reply == {"batchItemFailures": []}
    delivery = store.get_delivery(tenant.business_id, delivery_id)
    assert delivery is not None and delivery.status == "succeeded" and len(receiver.received) == 1
    webhooks_worker.drain()  # the fan-out's own message for the same attempt: a duplicate, dropped
    assert len(receiver.received) == 1


def test_an_unreadable_message_fails_alone(tenant: Tenant, webhooks_worker: Any) -> None:
    batch = with_ids(tenant.business_id, "evt_missing", "nothing")
    batch["Records"][1]["body"] = "not json"
    reply = run(batch)
    assert reply == {"batchItemFailures": [{"itemIdentifier": batch["Records"][1]["messageId"]}]}
