"""Emitting webhook events: cheap on the request path, fanned out by the webhooks worker.

`emit` costs one Query (the business's endpoints; none registered → nothing else happens), then
one PutItem (the event) and one SQS message per event. The worker (`fan_out`) creates one delivery
per subscribed endpoint (its id derived from event and endpoint, so a redelivered message creates
nothing twice) and queues one message per delivery: a slow endpoint never delays another.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from typing import Any

from pynamodb.exceptions import PynamoDBException

from chalicelib import clock, queues
from chalicelib.config import settings
from chalicelib.domain.errors import Conflict, Unavailable
from chalicelib.domain.tokens import new_id
from chalicelib.domain.webhooks import EVENT_TYPES
from chalicelib.store import webhooks as store
from chalicelib.store.table import iso, save_new

log = logging.getLogger("paydrop.webhooks")


def emit(business_id: str, event_type: str, data: dict[str, Any]) -> str | None:
    """Record `event_type` with `data` (ids and figures; JSON) for the business's subscribed endpoints;
    returns the event id (`evt_…`), or None when no endpoint wants it. Never raises: what the caller
    did has happened; a lost event is logged (by id) rather than failing a payment or a send."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event {event_type}")  # a programming error, not a user's
    try:
        wanted = [e for e in store.all_endpoints(business_id) if e.enabled and event_type in e.events]
        if not wanted or not settings().webhooks_queue_url:
            return None
        now = clock.now()
        event_id = f"evt_{new_id()}"
        store.new_event(business_id, event_id, event_type, int(now.timestamp()),
                        json.dumps(data, separators=(",", ":"), default=str), now, iso(now)).save()
        queues.send(settings().webhooks_queue_url,
                    json.dumps({"kind": "event", "business_id": business_id, "event_id": event_id}))
        return event_id
    except (PynamoDBException, Unavailable) as e:
        log.warning("webhook event %s for business %s not queued: %s", event_type, business_id, type(e).__name__)
        return None


def delivery_id_of(event_id: str, endpoint_id: str) -> str:
    return hashlib.sha256(f"{event_id}:{endpoint_id}".encode()).hexdigest()[:24]


def fan_out(business_id: str, event_id: str) -> int:
    """One delivery (and one queue message) per endpoint subscribed to the event; returns how many."""
    event = store.get_event(business_id, event_id)
    if event is None:
        return 0
    now = clock.now()
    count = 0
    for endpoint in store.all_endpoints(business_id):
        if not endpoint.enabled or event.event_type not in endpoint.events:
            continue
        delivery_id = delivery_id_of(event_id, endpoint.endpoint_id)
        # A redelivered message finds the delivery made: the attempt's claim (seq 1) keeps it to one first try.
        with contextlib.suppress(Conflict):
            save_new(store.new_delivery(business_id, delivery_id, endpoint.endpoint_id, event, now, iso(now)))
        queue_attempt(business_id, delivery_id, 1)
        count += 1
    return count


def queue_attempt(business_id: str, delivery_id: str, seq: int, not_before: str | None = None, delay: int = 0,
                  manual: bool = False) -> None:
    body = {"kind": "delivery", "business_id": business_id, "delivery_id": delivery_id, "seq": seq,
            "not_before": not_before, "manual": manual}
    queues.send(settings().webhooks_queue_url, json.dumps(body), delay_seconds=delay)
