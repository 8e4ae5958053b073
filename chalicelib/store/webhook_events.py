"""Stripe bookkeeping: events already processed (one marker per event id, deleted by TTL
after 30 days; Stripe retries a webhook for at most 3 days), and which invoice each
PaymentIntent paid (how refunds and disputes find their invoice)."""
from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.errors import Conflict
from chalicelib.store.table import BaseItem, conditional, iso

KEEP_DAYS = 30


class ProcessedEvent(BaseItem, discriminator="stripe_event"):
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    outcome = UnicodeAttribute()
    processed_at = UnicodeAttribute()


def _pk(event_id: str) -> str:
    return f"STRIPEEVENT#{event_id}"


def already_processed(event_id: str) -> bool:
    try:
        ProcessedEvent.get(_pk(event_id), "EVENT", consistent_read=True)
    except ProcessedEvent.DoesNotExist:
        return False
    return True


def mark_processed(event_id: str, event_type: str, outcome: str, now: datetime) -> bool:
    """Record the event; False if another delivery recorded it first (conditional write)."""
    marker = ProcessedEvent(_pk(event_id), "EVENT", event_id=event_id, event_type=event_type, outcome=outcome,
                            processed_at=iso(now), expires_at=now + timedelta(days=KEEP_DAYS))
    try:
        conditional(lambda: marker.save(condition=ProcessedEvent.pk.does_not_exist()), "Already processed.")
    except Conflict:
        return False
    return True


class PaymentIntentHome(BaseItem, discriminator="stripe_payment_intent"):
    business_id = UnicodeAttribute()
    doc_id = UnicodeAttribute()


def _home_key(payment_intent: str) -> tuple[str, str]:
    return f"STRIPEPI#{payment_intent}", "HOME"


def remember_home(payment_intent: str, business_id: str, doc_id: str) -> None:
    PaymentIntentHome(*_home_key(payment_intent), business_id=business_id, doc_id=doc_id).save()


def home_of(payment_intent: str) -> tuple[str, str] | None:
    try:
        home = PaymentIntentHome.get(*_home_key(payment_intent), consistent_read=True)
    except PaymentIntentHome.DoesNotExist:
        return None
    return home.business_id, home.doc_id
