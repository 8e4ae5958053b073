"""Webhook deliveries: one signed POST per attempt, retried with backoff for 3 days, resendable.

Each attempt is one queue message naming the attempt number (`seq`) it may make; the delivery item
is claimed with a condition on that number, so a duplicate or overtaken message sends nothing.
Waits longer than SQS's 15-minute delay are chained: a message that arrives before its
`not_before` is put back with the rest of the wait (at most 900 s a hop).
"""
from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.principal import Principal
from chalicelib.domain.webhooks import SIGNATURE_HEADER, next_attempt_at, signature_header, sqs_delay
from chalicelib.services.developer import transport
from chalicelib.services.developer.endpoints import get_endpoint, limit_writes, signing_secrets
from chalicelib.services.developer.events import queue_attempt
from chalicelib.store import webhooks as store
from chalicelib.store.table import iso

log = logging.getLogger("paydrop.webhooks")


def payload(event: store.WebhookEvent) -> bytes:
    """The body every endpoint receives: the event's id (receivers dedupe on it), type, time, data."""
    return json.dumps({"id": event.event_id, "type": event.event_type, "created": int(event.created),
                       "data": json.loads(event.data)}, separators=(",", ":")).encode()


def headers_for(event: store.WebhookEvent, body: bytes, signing: list[str], now: datetime) -> dict[str, str]:
    return {
        "Content-Type": "application/json", "User-Agent": "Paydrop-Webhooks/1",
        SIGNATURE_HEADER: signature_header(signing, int(now.timestamp()), body),
        "Idempotency-Key": event.event_id, "Paydrop-Event-Type": event.event_type,
    }


def on_message(message: dict[str, Any]) -> None:
    """The webhooks worker's message: an event to fan out, or one delivery attempt."""
    from chalicelib.services.developer.events import fan_out

    if message.get("kind") == "event":
        fan_out(str(message["business_id"]), str(message["event_id"]))
    else:
        attempt(str(message["business_id"]), str(message["delivery_id"]), int(message["seq"]),
                message.get("not_before"), bool(message.get("manual")))


def attempt(business_id: str, delivery_id: str, seq: int, not_before: str | None = None, manual: bool = False) -> None:
    now = clock.now()
    if not_before and not_before > iso(now):  # not due yet: the next hop of a chained wait
        due = datetime.fromisoformat(not_before.replace("Z", "+00:00"))
        queue_attempt(business_id, delivery_id, seq, not_before, sqs_delay(due, now), manual)
        return
    delivery = store.get_delivery(business_id, delivery_id)
    if delivery is None or delivery.status != store.PENDING or int(delivery.seq) != seq:
        return  # done, failed, or a resend overtook this message
    try:
        store.claim_attempt(delivery, seq, iso(now))
    except Conflict:
        return  # a duplicate message took it at the same time
    try:
        _send(business_id, delivery, now, manual)
    except Exception as e:
        # The attempt is claimed: a queue retry would find it taken and send nothing, leaving the
        # delivery "pending" for ever. Recorded as failed instead, and retried on its schedule.
        log.exception("webhook delivery %s: attempt %s failed on our side", delivery_id, seq)
        _record(delivery, transport.Outcome(None, None, 0, f"internal error ({type(e).__name__})"), now, manual)


def _send(business_id: str, delivery: store.Delivery, now: datetime, manual: bool) -> None:
    endpoint = store.get_endpoint(business_id, delivery.endpoint_id)
    event = store.get_event(business_id, delivery.event_id)
    if endpoint is None or event is None or not endpoint.enabled:
        why = "the endpoint was removed" if endpoint is None else (
            "the event expired" if event is None else "the endpoint is disabled")
        _record(delivery, transport.Outcome(None, None, 0, why), now, manual, give_up=True)
        return
    body = payload(event)
    outcome = transport.post(endpoint.url, body, headers_for(event, body, signing_secrets(endpoint, now), now),
                             settings().webhooks_dev_receiver)
    _record(delivery, outcome, now, manual)


def _record(delivery: store.Delivery, outcome: transport.Outcome, now: datetime, manual: bool,
            give_up: bool = False) -> None:
    entry = store.Attempt(at=iso(now), status_code=outcome.status_code, duration_ms=outcome.duration_ms,
                          error=outcome.error, response=outcome.response, manual=manual)
    if outcome.ok:
        store.record_attempt(delivery, entry, store.SUCCEEDED, 0, None, iso(now))
        return
    failures = int(delivery.failures) + 1
    window_start = datetime.fromisoformat(delivery.window_start.replace("Z", "+00:00"))
    due = None if give_up else next_attempt_at(window_start, failures, now)
    if due is None:
        store.record_attempt(delivery, entry, store.FAILED, failures, None, iso(now))
        return
    store.record_attempt(delivery, entry, store.PENDING, failures, iso(due), iso(now))
    queue_attempt(delivery.pk.removeprefix("BIZ#"), delivery.delivery_id, int(delivery.seq), iso(due),
                  sqs_delay(due, now))


def list_deliveries(principal: Principal, endpoint_id: str, limit: int,
                    cursor: str | None) -> tuple[list[store.Delivery], str | None]:
    get_endpoint(principal, endpoint_id)
    return store.list_deliveries(principal.business_id, endpoint_id, limit, cursor)


def resend(principal: Principal, endpoint_id: str, delivery_id: str) -> store.Delivery:
    """Try this delivery again now (and, should that fail, on the backoff schedule for 3 more days)."""
    get_endpoint(principal, endpoint_id)
    delivery = store.get_delivery(principal.business_id, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint_id:
        raise NotFound("Delivery not found.", field="delivery_id")
    limit_writes(principal)
    if store.get_event(principal.business_id, delivery.event_id) is None:
        raise NotFound("This event is too old to resend.", field="delivery_id")
    seq = store.reopen(delivery, iso(clock.now()))
    queue_attempt(principal.business_id, delivery_id, seq, manual=True)
    return delivery
