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

log = logging.getLogger("paydrop.workers")


def on_batch(event: Any) -> dict[str, Any]:
    """The payments function: every Stripe event of Chalice's SQSEvent `event`; the partial batch response."""
    stripe_events.use_lambda_context(getattr(event, "context", None))
    try:
        return batch.handle(event, on_stripe_event, described)
    finally:
        stripe_events.use_lambda_context(None)


def on_stripe_event(record: dict[str, Any]) -> None:
    """Apply the Stripe event in one SQS record (a failure is logged by `batch.handle`, see `described`)."""
    payload = json.loads(str(record["body"]))
    if not isinstance(payload, dict):
        raise ValueError("the message is not a JSON object")
    outcome = stripe_events.process(payload)
    log.info("%s: %s", described(record), outcome)


def described(record: dict[str, Any]) -> str:
    """"stripe event evt_… (type)": the ids only, never the payload, which can carry customer details."""
    try:
        payload = json.loads(str(record["body"]))
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return "stripe event ? (not a JSON object)"
    return f"stripe event {payload.get('id', '?')} ({payload.get('type', '?')})"
