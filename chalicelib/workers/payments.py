"""The payments worker: Stripe events from the `stripe-events` queue, one message per invocation.

The webhook endpoint verifies and enqueues each event; this worker applies it. Batch size 1,
so a message that keeps failing fails alone: SQS redelivers it after the visibility timeout
and, after the queue's maxReceiveCount, moves it to the dead-letter queue. Errors therefore
propagate; they are logged first in one line (event id, type and why), never the payload,
which can carry customer details.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from chalicelib.services.payments import stripe_events

log = logging.getLogger("paydrop.workers")


def on_stripe_event(event: Any) -> None:
    """Apply every Stripe event in the SQS `event` (Chalice's `SQSEvent`)."""
    for record in event:
        event_id = event_type = "?"
        try:
            payload = json.loads(record.body)
            if not isinstance(payload, dict):
                raise ValueError("the message is not a JSON object")
            event_id, event_type = str(payload.get("id", "?")), str(payload.get("type", "?"))
            outcome = stripe_events.process(payload)
        except Exception as e:
            log.warning("stripe event %s (%s, sqs message %s) failed, SQS will retry it: %s",
                        event_id, event_type, record.to_dict().get("messageId", "?"), _why(e))
            raise
        log.info("stripe event %s (%s): %s", event_id, event_type, outcome)


def _why(error: Exception) -> str:
    """The error's class and the start of its message (messages name ids, not payload fields)."""
    message = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
