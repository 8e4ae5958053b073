"""The correlation id follows a payment: page open, webhook, Stripe worker, receipt email; every
message queued on the way carries it (SQS attribute `correlation_id`)."""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib import logs
from tests.support.payments import checkout_session, payable_invoice, post_event, start_checkout, stripe_event

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def _queued(queue_url: str) -> list[dict[str, Any]]:
    from chalicelib.aws import sqs

    messages: list[dict[str, Any]] = []
    while batch := sqs().receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                         VisibilityTimeout=0, MessageAttributeNames=["All"]).get("Messages"):
        fresh = [m for m in batch if m["MessageId"] not in {q["MessageId"] for q in messages}]
        if not fresh:
            break
        messages += fresh
    return messages


def test_every_message_a_payment_journey_queues_carries_the_correlation_id(
        tenant: Any, anonymous: Any, stripe_secrets: Any, stripe_worker: Any, outbox: Any, views_worker: Any) -> None:
    """A client opens the invoice, pays; the webhook queues the event; the worker applies it and
    queues the receipt. Every one of those messages, on every queue, names the request it came from."""
    from chalicelib.config import settings

    payable = payable_invoice(tenant)
    session_id = start_checkout(anonymous, payable)
    anonymous.get(payable["page"], headers={"Accept": "text/html"})
    post_event(anonymous, stripe_event("checkout.session.completed",
                                       checkout_session(tenant, payable["doc"], session_id, 10000)))
    events = _queued(settings().stripe_events_queue_url)
    assert len(events) == 1
    webhook_id = events[0]["MessageAttributes"]["correlation_id"]["StringValue"]

    stripe_worker.drain()
    # Mail to send, not a digest window's delayed send (the invoice's "New invoice" notice opens one).
    receipts = [m for m in _queued(settings().mail_queue_url) if not m["Body"].startswith('{"digest"')]
    views = _queued(settings().views_queue_url)
    assert receipts and views
    for message in receipts + views:
        assert message["MessageAttributes"]["correlation_id"]["DataType"] == "String"
        assert message["MessageAttributes"]["correlation_id"]["StringValue"]
    # The receipt was queued while the worker handled the webhook's event: it carries the webhook's id.
    assert {m["MessageAttributes"]["correlation_id"]["StringValue"] for m in receipts} == {webhook_id}
    assert logs.correlation_id() is None  # nothing leaks into whatever runs next
