"""Stripe, through the official library: Checkout Sessions and webhook signatures.

The secret key and the webhook signing secret come from `chalicelib.secrets` (SSM
SecureString in the cloud, environment locally). `stripe` is imported only on the paths
that talk to Stripe, so it adds nothing to the page Lambda's cold start.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

from chalicelib import tracing
from chalicelib.config import settings
from chalicelib.domain.errors import Unavailable, ValidationError
from chalicelib.secrets import SecretMissing, secret

log = logging.getLogger("paydrop.payments")
SECRET_KEY, WEBHOOK_SECRET = "stripe-secret-key", "stripe-webhook-secret"
TOLERANCE_SECONDS = 300
# Tests put a recording HTTP client here; None = the library's own (requests/urllib).
http_client: Any = None


def online_payment_available(enabled_by_business: bool) -> bool:
    """Whether clients see a Pay button: the business turned it on, and Stripe (or, locally, the
    offline checkout) is there to take it."""
    return enabled_by_business and (configured() or settings().is_local)


_configured: bool | None = None


def configured() -> bool:
    """Whether this deployment has a Stripe secret key. The stage says so when deploy.sh told it
    (`STRIPE_CONFIGURED`): then a page view reads no secret, and the key is read when a payment
    starts (`client()`). Otherwise SSM is asked, once per container, but only a definite answer
    is kept: a throttled SSM read must not hide the Pay button until a cold start."""
    global _configured
    declared = settings().stripe_configured
    if declared is not None:
        return declared
    if _configured is None:
        try:
            secret(SECRET_KEY)
            _configured = True
        except SecretMissing:
            _configured = False
        except Unavailable:
            return False  # unknown for now; ask again on the next request
    return _configured


@cache
def client() -> Any:
    """One StripeClient per container (it keeps its connection pool)."""
    import stripe

    return stripe.StripeClient(secret(SECRET_KEY), http_client=http_client, max_network_retries=2)


def reset_client() -> None:
    global _configured
    client.cache_clear()
    _configured = None


@dataclass(frozen=True)
class Session:
    id: str
    url: str


def create_checkout_session(params: dict[str, Any], idempotency_key: str) -> Session:
    """Create a Checkout Session; the idempotency key makes a retried click return the same one."""
    import stripe

    try:
        with tracing.subsegment("Stripe", operation="checkout.sessions.create"):
            session = client().v1.checkout.sessions.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.StripeError as e:
        # Never echo Stripe's message to the client: it can name account details.
        raise Unavailable("Online payment is not available right now. Please try again in a minute.") from e
    return Session(str(session.id), str(session.url))


def expire_checkout_session(session_id: str) -> None:
    """Close an open Checkout Session; one that already completed or expired is left as it is."""
    import stripe

    try:
        with tracing.subsegment("Stripe", operation="checkout.sessions.expire"):
            client().v1.checkout.sessions.expire(session_id)
    except stripe.StripeError:
        log.warning("checkout session %s could not be expired; a late payment is held for refund", session_id)


def verified_event(payload: bytes, signature_header: str | None) -> dict[str, Any]:
    """The event in `payload` if `Stripe-Signature` proves Stripe sent it within 300 s; else 400."""
    import stripe

    if not signature_header:
        raise ValidationError("Missing Stripe-Signature header.")
    try:
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), signature_header, secret(WEBHOOK_SECRET),
                                              tolerance=TOLERANCE_SECONDS)
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as e:
        raise ValidationError("The webhook signature is not valid.") from e
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise ValidationError("The webhook payload is not a Stripe event.")
    return event


def signature_header(payload: bytes, signing_secret: str, timestamp: int) -> str:
    """A `Stripe-Signature` header the way Stripe computes it (HMAC-SHA256 of `t.payload`)."""
    signed = hmac.new(signing_secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signed}"
