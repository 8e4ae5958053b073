"""The Stripe events subscriptions handle, by type (dispatched from services/payments/stripe_events.py)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.services.subscriptions import mirror, periods

HANDLERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "customer.subscription.created": mirror.subscription_event,
    "customer.subscription.updated": mirror.subscription_event,
    "customer.subscription.deleted": mirror.subscription_event,
    "customer.subscription.paused": mirror.subscription_event,
    "customer.subscription.resumed": mirror.subscription_event,
    "invoice.paid": periods.invoice_paid,
    "invoice.payment_failed": mirror.payment_failed,
}
