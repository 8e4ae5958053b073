"""Stripe's Subscriptions API through the official library (`stripe_gateway.client()`, so the
tests' recording HTTP client sees every call), or — locally, without a Stripe key — the
offline stand-in (`offline.py`), which answers with the webhook events Stripe would send.
`stripe` is imported only on these paths."""
from __future__ import annotations

import logging
from typing import Any

from chalicelib import tracing
from chalicelib.domain.errors import Unavailable
from chalicelib.services.payments import stripe_gateway
from chalicelib.services.payments.cards_gateway import offline

log = logging.getLogger("paydrop.subscriptions")
UNAVAILABLE = "Your subscription cannot be changed right now. Please try again in a minute."


def _call(operation: str, call: Any) -> dict[str, Any]:
    import stripe

    try:
        with tracing.subsegment("Stripe", operation=operation):
            return dict(call().to_dict())
    except stripe.StripeError as e:
        log.warning("stripe %s failed: %s %s", operation, type(e).__name__, getattr(e, "code", None))
        raise Unavailable(UNAVAILABLE) from e


def retrieve(subscription_id: str) -> dict[str, Any]:
    """The subscription as Stripe holds it now (the source of truth when an event overtook another)."""
    return _call("subscriptions.retrieve",
                 lambda: stripe_gateway.client().v1.subscriptions.retrieve(subscription_id))


def modify(subscription_id: str, params: dict[str, Any], idempotency_key: str) -> dict[str, Any] | None:
    """`Subscription.modify`; offline, the stand-in applies it and posts `customer.subscription.updated`
    (None: the new state arrives through the webhook, as it also does with Stripe)."""
    if offline():
        from chalicelib.services.subscriptions import offline as stand_in

        stand_in.modify(subscription_id, params)
        return None
    return _call("subscriptions.update", lambda: stripe_gateway.client().v1.subscriptions.update(
        subscription_id, params=params, options={"idempotency_key": idempotency_key}))
