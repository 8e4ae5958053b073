"""Stripe Customers, saved cards and off-session charges: the official library through
`stripe_gateway.client()` (so tests' recording HTTP client sees every call), or — locally,
with no Stripe key — the offline stand-in (`offline_cards.py`) behind the same functions.

Card details never reach Paydrop: Stripe's Checkout collects them; Paydrop keeps the
customer id and asks Stripe for brand, last four digits and expiry when it shows them.
`stripe` is imported only on these paths (the API's cold start does not pay for it).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from chalicelib import tracing
from chalicelib.config import settings
from chalicelib.domain.errors import NotFound, Unavailable
from chalicelib.services.payments import stripe_gateway

log = logging.getLogger("paydrop.payments")
UNAVAILABLE = "Saved cards are not available right now. Please try again in a minute."


@dataclass(frozen=True)
class Card:
    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class Intent:
    id: str
    status: str  # succeeded | processing | requires_action | …


class CardFailure(Exception):
    """Stripe refused an off-session charge: `code` is Stripe's (authentication_required,
    card_declined, expired_card, …); `message` is Stripe's words for staff, never the client."""

    def __init__(self, code: str, message: str, payment_intent: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.payment_intent = code, message, payment_intent


def offline() -> bool:
    """The offline stand-in answers instead of Stripe (local runs without a Stripe key)."""
    return not stripe_gateway.configured() and settings().is_local


def available() -> bool:
    return stripe_gateway.configured() or settings().is_local


def _call(operation: str, call: Any) -> Any:
    """One Stripe call; its failures (network, API) become `Unavailable` in plain words."""
    import stripe

    try:
        with tracing.subsegment("Stripe", operation=operation):
            return call()
    except stripe.InvalidRequestError as e:
        if e.code == "resource_missing":
            raise NotFound("That card is not saved.") from e
        log.warning("stripe %s refused: %s", operation, e.code)
        raise Unavailable(UNAVAILABLE) from e
    except stripe.StripeError as e:
        log.warning("stripe %s failed: %s", operation, type(e).__name__)
        raise Unavailable(UNAVAILABLE) from e


def _field(obj: Any, name: str) -> Any:
    """A field of a Stripe object (plain data; a missing or null one is None)."""
    value = obj.to_dict().get(name)
    return value


def create_customer(params: dict[str, Any], idempotency_key: str) -> str:
    if offline():
        from chalicelib.services.payments import offline_cards

        return offline_cards.create_customer(idempotency_key)
    return str(_call("customers.create", lambda: stripe_gateway.client().v1.customers.create(
        params=params, options={"idempotency_key": idempotency_key})).id)


def cards_of(customer_id: str) -> tuple[list[Card], str | None]:
    """The customer's saved cards and the id of its default one."""
    if offline():
        from chalicelib.services.payments import offline_cards

        return offline_cards.cards_of(customer_id)
    client = stripe_gateway.client()
    customer = _call("customers.retrieve", lambda: client.v1.customers.retrieve(customer_id))
    listed = _call("customers.payment_methods.list", lambda: client.v1.customers.payment_methods.list(
        customer_id, params={"type": "card", "limit": 20}))
    cards = [Card(str(pm.id), str(pm.card.brand), str(pm.card.last4), int(pm.card.exp_month), int(pm.card.exp_year))
             for pm in listed.data]
    default = (_field(customer, "invoice_settings") or {}).get("default_payment_method")
    return cards, str(default) if default else None


def owner_of(payment_method: str) -> str | None:
    """The customer a saved card belongs to (None: not attached to any)."""
    if offline():
        from chalicelib.services.payments import offline_cards

        return offline_cards.owner_of(payment_method)
    pm = _call("payment_methods.retrieve", lambda: stripe_gateway.client().v1.payment_methods.retrieve(payment_method))
    return str(_field(pm, "customer")) if _field(pm, "customer") else None


def detach(payment_method: str) -> None:
    if offline():
        from chalicelib.services.payments import offline_cards

        offline_cards.detach(payment_method)
        return
    _call("payment_methods.detach", lambda: stripe_gateway.client().v1.payment_methods.detach(payment_method))


def set_default(customer_id: str, payment_method: str) -> None:
    if offline():
        from chalicelib.services.payments import offline_cards

        offline_cards.set_default(customer_id, payment_method)
        return
    _call("customers.update", lambda: stripe_gateway.client().v1.customers.update(
        customer_id, params={"invoice_settings": {"default_payment_method": payment_method}}))


def setup_payment_method(setup_intent: str) -> str | None:
    """The card a completed setup saved (from its SetupIntent)."""
    if offline():
        return None  # the offline checkout names the card in the session itself
    intent = _call("setup_intents.retrieve", lambda: stripe_gateway.client().v1.setup_intents.retrieve(setup_intent))
    return str(_field(intent, "payment_method")) if _field(intent, "payment_method") else None


def intent_payment_method(payment_intent: str) -> str | None:
    """The card a PaymentIntent was paid with (a first pre-payment saves it for the repeats)."""
    intent = _call("payment_intents.retrieve", lambda: stripe_gateway.client().v1.payment_intents.retrieve(payment_intent))
    return str(_field(intent, "payment_method")) if _field(intent, "payment_method") else None


def charge_off_session(params: dict[str, Any], idempotency_key: str) -> Intent:
    """Create and confirm an off-session PaymentIntent; raises `CardFailure` when the card
    needs the client (authentication_required) or is declined, `Unavailable` otherwise."""
    if offline():
        from chalicelib.services.payments import offline_cards

        return offline_cards.charge(params, idempotency_key)
    import stripe

    try:
        with tracing.subsegment("Stripe", operation="payment_intents.create"):
            intent = stripe_gateway.client().v1.payment_intents.create(
                params=params, options={"idempotency_key": idempotency_key})
    except stripe.CardError as e:
        error = e.error
        intent_id = error.payment_intent.id if error is not None and error.payment_intent is not None else None
        raise CardFailure(str(e.code or "card_declined"), str(e.user_message or "The card was declined."),
                          intent_id) from e
    except stripe.InvalidRequestError as e:
        # e.g. the card was detached meanwhile: the same key would get the same answer, so it is a
        # failure to record (and tell the client), not an outage to retry.
        raise CardFailure(str(e.code or "invalid_request"), str(e.user_message or "Stripe refused the charge."),
                          None) from e
    except stripe.StripeError as e:
        log.warning("stripe payment_intents.create failed: %s", type(e).__name__)
        raise Unavailable(UNAVAILABLE) from e
    return Intent(str(intent.id), str(intent.status))
