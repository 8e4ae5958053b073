"""The offline checkout in setup mode, and the offline stand-in for Stripe's saved cards:
local runs without Stripe keys only (every entry point answers 404 elsewhere).

Saving a card here is what Stripe's Checkout in setup mode does: the card is kept with the
customer (in `OFFLINESTRIPE#…`, not with Paydrop's data) and a signed
`checkout.session.completed` (mode `setup`) goes to the webhook. Off-session charges answer
like Stripe for its test cards: 4242 succeeds (and a signed `payment_intent.succeeded` is
queued through the webhook's own `receive`), 0341 is declined, 3155 needs authentication.
Ids are derived from the idempotency key, so a retried call is the same customer or charge.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain import payments as pay_rules
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.tokens import new_id
from chalicelib.secrets import secret
from chalicelib.services.payments import customers, offline_checkout, stripe_gateway
from chalicelib.services.payments.cards_gateway import Card, CardFailure, Intent
from chalicelib.store import cards as store
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.table import conditional, iso

SETUP_PREFIX, PREPAY_PREFIX = "cs_offsetup_", "cs_offprepay_"
# Stripe's test cards, by what they do off-session (https://docs.stripe.com/testing).
TEST_CARDS = {"4242": "charges succeed", "0341": "charges are declined",
              "3155": "charges need the cardholder (authentication)"}
NOT_FOUND = "This checkout does not exist."


def _digest(text: str, size: int = 20) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:size]


def create_customer(idempotency_key: str) -> str:
    customer_id = f"cus_offline_{_digest(idempotency_key)}"
    item = store.OfflineCustomer(store.offline_pk(customer_id), "CUSTOMER", customer_id=customer_id,
                                 created_at=iso(clock.now()))
    with contextlib.suppress(Conflict):  # the same key again: the same customer, as with Stripe
        conditional(lambda: item.save(condition=store.OfflineCustomer.pk.does_not_exist()), "Exists.")
    return customer_id


def cards_of(customer_id: str) -> tuple[list[Card], str | None]:
    items = store.offline_items(customer_id)
    customer = next((i for i in items if isinstance(i, store.OfflineCustomer)), None)
    cards = [Card(c.payment_method, c.brand, c.last4, int(c.exp_month), int(c.exp_year))
             for c in sorted((i for i in items if isinstance(i, store.OfflineCard)), key=lambda c: c.created_at)]
    return cards, customer.default_payment_method if customer else None


def owner_of(payment_method: str) -> str | None:
    """`pm_offline_{customer digest}_{n}` belongs to `cus_offline_{customer digest}` if still saved."""
    parts = payment_method.split("_")
    if len(parts) != 4 or parts[:2] != ["pm", "offline"]:
        return None
    customer_id = f"cus_offline_{parts[2]}"
    cards, _ = cards_of(customer_id)
    return customer_id if any(c.id == payment_method for c in cards) else None


def detach(payment_method: str) -> None:
    customer_id = owner_of(payment_method)
    if customer_id is None:
        raise NotFound("That card is not saved.")
    store.OfflineCard(store.offline_pk(customer_id), f"PM#{payment_method}").delete()
    customer = store.OfflineCustomer(store.offline_pk(customer_id), "CUSTOMER")
    # Stripe clears the default when that card is detached.
    with contextlib.suppress(Conflict):
        conditional(lambda: customer.update(actions=[store.OfflineCustomer.default_payment_method.remove()],
                                            condition=store.OfflineCustomer.default_payment_method == payment_method),
                    "Not the default.")


def set_default(customer_id: str, payment_method: str) -> None:
    customer = store.OfflineCustomer(store.offline_pk(customer_id), "CUSTOMER")
    customer.update(actions=[store.OfflineCustomer.default_payment_method.set(payment_method)])


def save_card(customer_id: str, last4: str) -> str:
    """Keep a test card with the customer, as Stripe does when a setup completes."""
    payment_method = f"pm_offline_{customer_id.rsplit('_', 1)[1]}_{new_id()[:8]}"
    store.OfflineCard(store.offline_pk(customer_id), f"PM#{payment_method}", payment_method=payment_method,
                      customer_id=customer_id, brand="visa", last4=last4, exp_month=12,
                      exp_year=clock.today().year + 3, created_at=iso(clock.now())).save()
    return payment_method


def keep_test_card(customer_id: str, last4: str) -> str:
    """Save a test card; it becomes the default when the customer has none (as our webhook does)."""
    payment_method = save_card(customer_id, last4)
    if cards_of(customer_id)[1] is None:
        set_default(customer_id, payment_method)
    return payment_method


def setup_intent_of(payment_method: str) -> str:
    return "seti_offline_" + payment_method[len("pm_offline_"):]


# --- the offline checkout pages: setup mode, and pre-payments ---------------------------------


@dataclass(frozen=True)
class OfflineSession:
    business: Business
    setup: store.SetupSession | None = None
    prepayment: store.Prepayment | None = None

    @property
    def status(self) -> str:
        return self.setup.status if self.setup else self.prepayment.status if self.prepayment else "?"


def setup_session_id(business_id: str, client_id: str) -> str:
    return f"{SETUP_PREFIX}{business_id}_{client_id}_{new_id()}"


def open_session(session_id: str) -> OfflineSession:
    """The offline setup or pre-payment checkout behind `session_id`; 404 outside local runs or
    for unknown ids."""
    prefix = next((p for p in (SETUP_PREFIX, PREPAY_PREFIX) if session_id.startswith(p)), None)
    if not settings().is_local or prefix is None:
        raise NotFound(NOT_FOUND)
    parts = session_id[len(prefix):].split("_")
    if len(parts) != 3:
        raise NotFound(NOT_FOUND)
    business_id, client_id, last = parts
    setup = prepayment = None
    if prefix == SETUP_PREFIX:
        setup = store.get_setup_session(business_id, client_id, session_id)
    else:
        prepayment = store.get_prepayment(business_id, client_id, last)
        prepayment = prepayment if prepayment is not None and prepayment.session_id == session_id else None
    business = get_business(business_id) if setup or prepayment else None
    if business is None:
        raise NotFound(NOT_FOUND)
    return OfflineSession(business, setup, prepayment)


def finish(session_id: str, last4: str, webhook_url: str,
           deliver: Callable[[str, bytes, str], None] | None = None) -> str:
    """Save the test card (setup, or a pre-payment that repeats), post the signed
    `checkout.session.completed`; returns where the client goes next."""
    found = open_session(session_id)
    if found.status not in ("open", "pending"):
        raise Conflict("This checkout has already ended.")
    obj = _setup_object(found.setup, last4) if found.setup else _prepay_object(found.prepayment, last4)
    payload = json.dumps(offline_checkout.event("checkout.session.completed", {**obj, "id": session_id})).encode()
    header = stripe_gateway.signature_header(payload, secret(stripe_gateway.WEBHOOK_SECRET), int(time.time()))
    (deliver or offline_checkout.deliver)(webhook_url, payload, header)
    if found.setup:
        return f"{found.setup.return_url}&setup=success"
    return f"{found.prepayment.return_url if found.prepayment else ''}&prepayment=success"


def _setup_object(session: store.SetupSession, last4: str) -> dict[str, Any]:
    payment_method = save_card(session.customer_id, last4)
    return {"object": "checkout.session", "mode": "setup", "livemode": False, "status": "complete",
            "customer": session.customer_id, "setup_intent": setup_intent_of(payment_method),
            "metadata": {"business_id": session.business_id, "client_id": session.client_id, "purpose": "setup"}}


def _prepay_object(prepayment: store.Prepayment | None, last4: str) -> dict[str, Any]:
    if prepayment is None:
        raise NotFound(NOT_FOUND)

    ids = {"business_id": prepayment.business_id, "client_id": prepayment.client_id,
           "prepay_id": prepayment.prepay_id, "purpose": "prepayment"}
    customer = None
    if prepayment.plan_id:  # a repeating pre-payment keeps the card, as setup_future_usage does
        ids["plan_id"] = str(prepayment.plan_id)
        customer = customers.customer_for(prepayment.business_id, prepayment.client_id)
        keep_test_card(customer, last4)
    return {"object": "checkout.session", "mode": "payment", "livemode": False, "status": "complete",
            "payment_status": "paid", "customer": customer, "currency": prepayment.currency.lower(),
            "amount_total": pay_rules.to_stripe_units(int(prepayment.amount), prepayment.currency),
            "payment_intent": f"pi_offline_{_digest(prepayment.prepay_id, 24)}", "metadata": ids}


# --- off-session charges ------------------------------------------------------------------


def charge(params: dict[str, Any], idempotency_key: str) -> Intent:
    """Charge the saved test card as Stripe would; success is announced by a queued, signed event."""
    payment_method = str(params["payment_method"])
    customer_id = str(params["customer"])
    cards, _ = cards_of(customer_id)
    card = next((c for c in cards if c.id == payment_method), None)
    intent_id = f"pi_offline_{_digest(idempotency_key, 24)}"
    if card is None:
        raise CardFailure("resource_missing", "No such payment method.", None)
    if card.last4 == "0341":
        raise CardFailure("card_declined", "Your card was declined.", intent_id)
    if card.last4 == "3155":
        raise CardFailure("authentication_required", "Your card requires authentication.", intent_id)
    obj = {"id": intent_id, "object": "payment_intent", "status": "succeeded", "amount": params["amount"],
           "amount_received": params["amount"], "currency": params["currency"], "customer": customer_id,
           "payment_method": payment_method, "metadata": params.get("metadata") or {}}
    event = {**offline_checkout.event("payment_intent.succeeded", obj), "id": f"evt_offline_{intent_id}"}
    payload = json.dumps(event).encode()
    header = stripe_gateway.signature_header(payload, secret(stripe_gateway.WEBHOOK_SECRET), int(time.time()))
    from chalicelib.services.payments import stripe_events

    stripe_events.receive(payload, header)  # the webhook's own path: verified, then queued
    return Intent(intent_id, "succeeded")
