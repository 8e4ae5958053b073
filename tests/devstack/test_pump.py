"""The local event pump behaves like Lambda's SQS integration: delete on success,
redeliver on failure, and the queue's redrive policy moves poison messages to the DLQ."""
from __future__ import annotations

import json
import time
from typing import Any

import pytest
from chalice import Chalice

from devstack.pump import EventPump, sqs_bindings


@pytest.fixture
def queues(aws: Any) -> dict[str, str]:
    return {"stripe-events": aws.stripe_events_queue_url, "uploads": aws.uploads_queue_url}


@pytest.fixture
def sqs(aws: Any) -> Any:
    from chalicelib.aws import sqs

    client = sqs()
    for url in (aws.stripe_events_queue_url, aws.stripe_events_dlq_url, aws.uploads_queue_url):
        _empty(client, url)
    return client


def _empty(client: Any, url: str) -> None:
    """Delete whatever an earlier test left (PurgeQueue is limited to once a minute)."""
    while messages := client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages"):
        client.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        )


def _toy_app(fail_times: int, seen: list[dict[str, Any]]) -> Chalice:
    app = Chalice("toy")

    @app.on_sqs_message(queue="stripe-events", batch_size=1)
    def worker(event: Any) -> None:
        for record in event:
            seen.append(json.loads(record.body))
        if len(seen) <= fail_times:
            raise RuntimeError("simulated failure")

    return app


def _drain(pump: EventPump, binding: Any, rounds: int) -> None:
    for _ in range(rounds):
        pump.poll_once(binding)
        time.sleep(0.05)


def test_a_handled_message_is_deleted(aws: Any, sqs: Any, queues: dict[str, str]) -> None:
    seen: list[dict[str, Any]] = []
    [binding] = sqs_bindings(_toy_app(0, seen), queues, sqs)
    pump = EventPump(sqs, [binding], wait_seconds=0, retry_delay=0)
    sqs.send_message(QueueUrl=aws.stripe_events_queue_url, MessageBody=json.dumps({"id": "evt_1"}))
    _drain(pump, binding, 3)
    assert seen == [{"id": "evt_1"}]
    assert pump.poll_once(binding) == 0


def test_a_failing_message_is_retried_then_succeeds(aws: Any, sqs: Any, queues: dict[str, str]) -> None:
    seen: list[dict[str, Any]] = []
    [binding] = sqs_bindings(_toy_app(2, seen), queues, sqs)
    pump = EventPump(sqs, [binding], wait_seconds=0, retry_delay=0)
    sqs.send_message(QueueUrl=aws.stripe_events_queue_url, MessageBody=json.dumps({"id": "evt_2"}))
    _drain(pump, binding, 6)
    assert seen == [{"id": "evt_2"}] * 3


def test_a_poison_message_ends_in_the_dead_letter_queue(aws: Any, sqs: Any, queues: dict[str, str]) -> None:
    seen: list[dict[str, Any]] = []
    [binding] = sqs_bindings(_toy_app(10**6, seen), queues, sqs)
    pump = EventPump(sqs, [binding], wait_seconds=0, retry_delay=0)
    sqs.send_message(QueueUrl=aws.stripe_events_queue_url, MessageBody=json.dumps({"id": "evt_poison"}))
    _drain(pump, binding, 10)
    assert len(seen) == 5  # the template's maxReceiveCount
    dead = sqs.receive_message(QueueUrl=aws.stripe_events_dlq_url, WaitTimeSeconds=1).get("Messages", [])
    assert [json.loads(m["Body"]) for m in dead] == [{"id": "evt_poison"}]


def test_handlers_get_a_lambda_shaped_event(aws: Any, sqs: Any, queues: dict[str, str]) -> None:
    events: list[dict[str, Any]] = []
    app = Chalice("toy")

    @app.on_sqs_message(queue="uploads")
    def raw(event: Any) -> None:
        events.append(event.to_dict())

    [binding] = sqs_bindings(app, queues, sqs)
    sqs.send_message(QueueUrl=aws.uploads_queue_url, MessageBody="hello")
    _drain(EventPump(sqs, [binding], wait_seconds=0), binding, 2)
    record = events[0]["Records"][0]
    assert record["body"] == "hello" and record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":" + aws.uploads_queue_url.rsplit("/", 1)[1])


def test_a_partial_batch_response_keeps_only_the_failed_messages(aws: Any, sqs: Any, queues: dict[str, str]) -> None:
    app = Chalice("toy")
    seen: list[str] = []

    @app.on_sqs_message(queue="stripe-events", batch_size=10)
    def worker(event: Any) -> dict[str, Any]:
        failed = []
        for record in event:
            seen.append(record.body)
            if record.body == "poison":
                failed.append({"itemIdentifier": record.to_dict()["messageId"]})
        return {"batchItemFailures": failed}

    [binding] = sqs_bindings(app, queues, sqs)
    pump = EventPump(sqs, [binding], wait_seconds=0, retry_delay=0)
    for body in ("good-1", "poison", "good-2"):
        sqs.send_message(QueueUrl=aws.stripe_events_queue_url, MessageBody=body)
    _drain(pump, binding, 3)
    assert sorted(set(seen)) == ["good-1", "good-2", "poison"]
    assert seen.count("good-1") == seen.count("good-2") == 1  # deleted after their one success
    assert seen.count("poison") >= 2  # kept, and delivered again
    _empty(sqs, aws.stripe_events_queue_url)


def test_a_delayed_message_is_pumped_only_after_its_delay(aws: Any, sqs: Any, queues: dict[str, str]) -> None:
    """Digests ride on `DelaySeconds` (services/notifications/digests.py): moto keeps the message
    invisible for that long, so the local pump delivers it when Lambda would, not before."""
    seen: list[dict[str, Any]] = []
    [binding] = sqs_bindings(_toy_app(0, seen), queues, sqs)
    pump = EventPump(sqs, [binding], wait_seconds=0, retry_delay=0)
    sqs.send_message(QueueUrl=aws.stripe_events_queue_url, MessageBody=json.dumps({"id": "evt_later"}), DelaySeconds=2)
    _drain(pump, binding, 3)
    assert seen == []
    time.sleep(2.1)
    _drain(pump, binding, 2)
    assert seen == [{"id": "evt_later"}]
