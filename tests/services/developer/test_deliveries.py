"""Deliveries: a signed POST the receiver can verify and dedupe, retried with backoff for 3 days
(a fixed clock walks the schedule), then failed; staff can resend; each attempt is recorded."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.domain.developer_inputs import EndpointInput
from chalicelib.domain.permissions import ROLE_PERMISSIONS
from chalicelib.domain.principal import Principal
from chalicelib.domain.webhooks import verify
from chalicelib.services.developer import deliveries, endpoints, events
from chalicelib.store import webhooks as store
from tests.conftest import Tenant
from tests.support.webhooks import Receiver

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def fixed() -> Iterator[list[datetime]]:
    """The app's clock, set by the test: `fixed[0] = moment`."""
    moment = [T0]
    clock.use(lambda: moment[0])
    yield moment
    clock.use(None)


def owner(tenant: Tenant) -> Principal:
    return Principal("u1", tenant.email, tenant.business_id, ("owner",), ROLE_PERMISSIONS["owner"])


def subscribe(tenant: Tenant, receiver: Receiver, events_: list[str] | None = None) -> tuple[str, str]:
    endpoint, secret = endpoints.create_endpoint(owner(tenant), EndpointInput(
        url=receiver.url, events=events_ or ["invoice.paid"]))
    return endpoint.endpoint_id, secret


def only_delivery(tenant: Tenant, endpoint_id: str) -> store.Delivery:
    items, _ = store.list_deliveries(tenant.business_id, endpoint_id, 10, None)
    assert len(items) == 1
    fresh = store.get_delivery(tenant.business_id, items[0].delivery_id)
    assert fresh is not None
    return fresh


def test_a_delivery_is_signed_and_carries_the_event_id_to_dedupe_on(
        tenant: Tenant, receiver: Receiver, webhooks_worker: Any, fixed: list[datetime]) -> None:
    endpoint_id, secret = subscribe(tenant, receiver)
    event_id = events.emit(tenant.business_id, "invoice.paid", {"invoice_id": "inv1", "amount_paid": 1200})
    events.emit(tenant.business_id, "invoice.sent", {"invoice_id": "inv1"})  # not subscribed: nothing sent
    webhooks_worker.drain()  # the event, then its one delivery
    [got] = receiver.received
    sent = json.loads(got.body)
    assert sent == {"id": event_id, "type": "invoice.paid", "created": int(T0.timestamp()),
                    "data": {"invoice_id": "inv1", "amount_paid": 1200}}
    assert got.headers["Idempotency-Key"] == event_id
    assert verify(got.headers["Paydrop-Signature"], got.body, secret, T0)
    delivery = only_delivery(tenant, endpoint_id)
    assert delivery.status == "succeeded"
    assert [(a.status_code, a.response) for a in delivery.attempts] == [(200, '{"ok":true}')]


def test_no_endpoint_no_event(tenant: Tenant, dynamodb_calls: list[str]) -> None:
    assert events.emit(tenant.business_id, "invoice.paid", {"invoice_id": "x"}) is None
    assert dynamodb_calls == ["Query"]  # the endpoints, none: nothing written, nothing queued


def test_failures_back_off_exponentially_and_stop_after_three_days(
        tenant: Tenant, receiver: Receiver, webhooks_worker: Any, fixed: list[datetime]) -> None:
    receiver.status, receiver.reply = 500, b"x" * 5000
    endpoint_id, _ = subscribe(tenant, receiver)
    events.emit(tenant.business_id, "invoice.paid", {"invoice_id": "inv1"})
    webhooks_worker.drain()  # first attempt fails; the retry waits in SQS (delayed)
    waits = []
    while (delivery := only_delivery(tenant, endpoint_id)).status == "pending":
        due = datetime.fromisoformat(delivery.next_at.replace("Z", "+00:00"))
        waits.append(int((due - fixed[0]).total_seconds()))
        fixed[0] = due
        deliveries.attempt(tenant.business_id, delivery.delivery_id, int(delivery.seq))
    assert waits[:6] == [60, 120, 240, 480, 960, 1920]
    assert max(waits) == 6 * 3600 and waits[-1] == 6 * 3600
    assert delivery.status == "failed"
    assert fixed[0] - T0 <= timedelta(days=3) < fixed[0] + timedelta(hours=6) - T0
    assert len(delivery.attempts) == len(waits) + 1 == len(receiver.received)
    assert all(a.status_code == 500 and len(a.response) == 1024 for a in delivery.attempts)


def test_a_message_that_arrives_early_waits_again_without_sending(
        tenant: Tenant, receiver: Receiver, webhooks_worker: Any, fixed: list[datetime]) -> None:
    receiver.status = 503
    endpoint_id, _ = subscribe(tenant, receiver)
    events.emit(tenant.business_id, "invoice.paid", {"invoice_id": "inv1"})
    webhooks_worker.drain()
    delivery = only_delivery(tenant, endpoint_id)
    deliveries.attempt(tenant.business_id, delivery.delivery_id, int(delivery.seq), not_before=delivery.next_at)
    assert len(receiver.received) == 1  # not due at T0: put back on the queue, nothing sent
    deliveries.attempt(tenant.business_id, delivery.delivery_id, int(delivery.seq) - 1)  # a stale duplicate
    assert len(receiver.received) == 1


def test_staff_resend_a_failed_delivery_with_the_same_event_id(
        tenant: Tenant, receiver: Receiver, webhooks_worker: Any, fixed: list[datetime]) -> None:
    receiver.status = 500
    endpoint_id, _ = subscribe(tenant, receiver)
    events.emit(tenant.business_id, "invoice.paid", {"invoice_id": "inv1"})
    webhooks_worker.drain()
    failed = only_delivery(tenant, endpoint_id)
    receiver.status = 204
    deliveries.resend(owner(tenant), endpoint_id, failed.delivery_id)
    webhooks_worker.drain()
    delivery = only_delivery(tenant, endpoint_id)
    assert delivery.status == "succeeded"
    assert [(a.status_code, a.manual) for a in delivery.attempts] == [(500, False), (204, True)]
    first, again = receiver.received
    assert json.loads(first.body)["id"] == json.loads(again.body)["id"]


def test_the_same_attempt_taken_by_five_workers_at_once_is_sent_once(
        tenant: Tenant, receiver: Receiver, webhooks_worker: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    endpoint_id, _ = subscribe(tenant, receiver)
    event_id = events.emit(tenant.business_id, "invoice.paid", {"invoice_id": "inv1"})
    assert event_id and events.fan_out(tenant.business_id, event_id) == 1
    webhooks_worker.discard()  # the queued copies: the threads below stand for them
    delivery_id = events.delivery_id_of(event_id, endpoint_id)
    with ThreadPoolExecutor(5) as pool:
        list(pool.map(lambda _: deliveries.attempt(tenant.business_id, delivery_id, 1), range(5)))
    assert len(receiver.received) == 1
    assert len(only_delivery(tenant, endpoint_id).attempts) == 1


def test_a_failure_of_ours_during_an_attempt_is_recorded_and_retried_not_stuck(
        tenant: Tenant, receiver: Receiver, webhooks_worker: Any, fixed: list[datetime],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Anything raised between claiming an attempt and recording it left the delivery "pending"
    for ever: the queue's retry found the attempt already claimed and sent nothing."""
    from chalicelib.services.developer import transport

    endpoint_id, _ = subscribe(tenant, receiver)
    events.emit(tenant.business_id, "invoice.paid", {"invoice_id": "inv1"})
    real_post = transport.post

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(transport, "post", broken)
    webhooks_worker.drain()
    delivery = only_delivery(tenant, endpoint_id)
    assert delivery.status == store.PENDING and delivery.next_at
    [attempt] = delivery.attempts
    assert attempt.status_code is None and "RuntimeError" in str(attempt.error)
    monkeypatch.setattr(transport, "post", real_post)
    fixed[0] = datetime.fromisoformat(delivery.next_at.replace("Z", "+00:00"))
    deliveries.attempt(tenant.business_id, delivery.delivery_id, int(delivery.seq))  # the queued retry
    assert only_delivery(tenant, endpoint_id).status == store.SUCCEEDED and len(receiver.received) == 1
