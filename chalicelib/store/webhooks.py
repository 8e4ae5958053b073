"""Outbound webhooks: a business's endpoints, the events it emitted, and each delivery's attempts."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import BooleanAttribute, ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.businesses import business_pk
from chalicelib.store.table import BaseItem, conditional, index_page, query_page

PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"
KEEP = timedelta(days=30)  # events and deliveries (with their responses) are listed this long
MAX_ENDPOINTS = 20


class WebhookEndpoint(BaseItem, discriminator="webhook_endpoint"):
    endpoint_id = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute, default=list)
    description = UnicodeAttribute(null=True)
    enabled = BooleanAttribute(default=True)
    # HMAC keys must be readable to sign with: stored as is, never shown after creation or rotation.
    secret = UnicodeAttribute()
    previous_secret = UnicodeAttribute(null=True)  # still signed with until `previous_until` (rotation)
    previous_until = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class WebhookEvent(BaseItem, discriminator="webhook_event"):
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    created = NumberAttribute()  # unix seconds, as sent
    data = UnicodeAttribute()  # the JSON of `data`, as sent
    created_at = UnicodeAttribute()


class Attempt(MapAttribute[str, Any]):
    at = UnicodeAttribute()
    status_code = NumberAttribute(null=True)
    duration_ms = NumberAttribute()
    error = UnicodeAttribute(null=True)
    response = UnicodeAttribute(null=True)  # the first 1 KB of the body
    manual = BooleanAttribute(default=False)  # a resend by staff


class Delivery(BaseItem, discriminator="webhook_delivery"):
    delivery_id = UnicodeAttribute()
    endpoint_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    status = UnicodeAttribute(default=PENDING)
    # The number of the next attempt a queue message may make: a stale or duplicate message
    # (a resend overtook it, SQS delivered it twice) names another and is dropped.
    seq = NumberAttribute(default=1)
    failures = NumberAttribute(default=0)  # in a row, since `window_start`
    window_start = UnicodeAttribute()  # the 3 days of retries count from here (creation, or a resend)
    next_at = UnicodeAttribute(null=True)
    attempts = ListAttribute(of=Attempt, default=list)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


def endpoint_sk(endpoint_id: str) -> str:
    return f"WHEP#{endpoint_id}"


def deliveries_pk(business_id: str, endpoint_id: str) -> str:
    return f"WHDLV#{business_id}#{endpoint_id}"


def get_endpoint(business_id: str, endpoint_id: str) -> WebhookEndpoint | None:
    try:
        return WebhookEndpoint.get(business_pk(business_id), endpoint_sk(endpoint_id))
    except WebhookEndpoint.DoesNotExist:
        return None


def all_endpoints(business_id: str) -> list[WebhookEndpoint]:
    """Every endpoint of the business (at most MAX_ENDPOINTS): one Query, usually empty."""
    return list(WebhookEndpoint.query(business_pk(business_id), WebhookEndpoint.sk.startswith("WHEP#"),
                                      limit=MAX_ENDPOINTS))


def list_endpoints(business_id: str, limit: int, cursor: str | None) -> tuple[list[WebhookEndpoint], str | None]:
    return query_page(WebhookEndpoint, business_pk(business_id), "WHEP#", limit, cursor)


def new_event(business_id: str, event_id: str, event_type: str, created: int, data: str, now: datetime,
              created_at: str) -> WebhookEvent:
    return WebhookEvent(business_pk(business_id), f"WHEVT#{event_id}", event_id=event_id, event_type=event_type,
                        created=created, data=data, created_at=created_at, expires_at=now + KEEP)


def get_event(business_id: str, event_id: str) -> WebhookEvent | None:
    try:
        return WebhookEvent.get(business_pk(business_id), f"WHEVT#{event_id}")
    except WebhookEvent.DoesNotExist:
        return None


def new_delivery(business_id: str, delivery_id: str, endpoint_id: str, event: WebhookEvent, now: datetime,
                 created_at: str) -> Delivery:
    return Delivery(business_pk(business_id), f"WHDLV#{delivery_id}", delivery_id=delivery_id,
                    endpoint_id=endpoint_id, event_id=event.event_id, event_type=event.event_type,
                    window_start=created_at, next_at=created_at, created_at=created_at, updated_at=created_at,
                    gsi1pk=deliveries_pk(business_id, endpoint_id), gsi1sk=f"{created_at}#{delivery_id}",
                    expires_at=now + KEEP)


def get_delivery(business_id: str, delivery_id: str) -> Delivery | None:
    try:
        return Delivery.get(business_pk(business_id), f"WHDLV#{delivery_id}", consistent_read=True)
    except Delivery.DoesNotExist:
        return None


def list_deliveries(business_id: str, endpoint_id: str, limit: int,
                    cursor: str | None) -> tuple[list[Delivery], str | None]:
    return index_page(Delivery, "gsi1", deliveries_pk(business_id, endpoint_id), limit, cursor, newest_first=True)


def claim_attempt(delivery: Delivery, seq: int, now_iso: str) -> None:
    """Take attempt `seq` of a pending delivery, or raise Conflict (another message took it)."""
    conditional(lambda: delivery.update(
        actions=[Delivery.seq.set(seq + 1), Delivery.updated_at.set(now_iso)],
        condition=(Delivery.status == PENDING) & (Delivery.seq == seq),
    ), "This attempt was already made.")


def record_attempt(delivery: Delivery, attempt: Attempt, status: str, failures: int, next_at: str | None,
                   now_iso: str) -> None:
    delivery.update(actions=[
        Delivery.attempts.set((Delivery.attempts | []).append([attempt])),
        Delivery.status.set(status), Delivery.failures.set(failures),
        Delivery.next_at.set(next_at) if next_at else Delivery.next_at.remove(), Delivery.updated_at.set(now_iso),
    ])


def reopen(delivery: Delivery, now_iso: str) -> int:
    """A resend: pending again, a fresh 3-day window; returns the attempt number it may make."""
    delivery.update(actions=[
        Delivery.seq.add(1), Delivery.status.set(PENDING), Delivery.failures.set(0),
        Delivery.window_start.set(now_iso), Delivery.next_at.set(now_iso), Delivery.updated_at.set(now_iso),
    ])
    return int(delivery.seq)
