"""The payments worker: Stripe events from the `stripe-events` queue, in batches.

The webhook endpoint verifies and enqueues each event; this worker applies it. Each message is
handled on its own (`chalicelib.workers.batch`), so a message that keeps failing fails alone: SQS
redelivers it after the visibility timeout and, after the queue's maxReceiveCount, moves it to the
dead-letter queue. An event is applied once however often it arrives (`stripe_events.process` is
idempotent on the event id, with Lambda's remaining time bounding its in-progress record). Errors therefore
propagate; they are logged first in one line (event id, type and why), never the payload,
which can carry customer details.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from chalicelib.services.payments import stripe_events
from chalicelib.workers import batch
from chalicelib.workers.batch import message_id, why

log = logging.getLogger("paydrop.workers")


def on_batch(event: Any) -> dict[str, Any]:
    """The payments function: every Stripe event of Chalice's SQSEvent `event`; the partial batch response."""
    stripe_events.use_lambda_context(getattr(event, "context", None))
    try:
        return batch.handle(event, on_stripe_event)
    finally:
        stripe_events.use_lambda_context(None)


def on_stripe_event(record: dict[str, Any]) -> None:
    """Apply the Stripe event in one SQS record."""
    event_id = event_type = "?"
    try:
        payload = json.loads(str(record["body"]))
        if not isinstance(payload, dict):
            raise ValueError("the message is not a JSON object")
        event_id, event_type = str(payload.get("id", "?")), str(payload.get("type", "?"))
        outcome = stripe_events.process(payload)
    except Exception as e:
        log.warning("stripe event %s (%s, sqs message %s) failed, SQS will retry it: %s",
                    event_id, event_type, message_id(record), why(e))
        raise
    log.info("stripe event %s (%s): %s", event_id, event_type, outcome)
