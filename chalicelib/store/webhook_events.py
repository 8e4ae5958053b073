"""Stripe bookkeeping: which invoice each PaymentIntent paid (how refunds and disputes find
their invoice). Which events were applied is Powertools Idempotency's (`store/idempotency.py`)."""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from chalicelib.store.table import BaseItem


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
