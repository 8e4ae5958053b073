"""One Stripe Customer per client, created the first time a card is to be saved.

The id is stored on the Client with a condition (only if none is stored), and the creation
carries an idempotency key per client: two creations at once (two tabs, a double click) make
one Stripe customer — Stripe answers the second request with the first one's result — and
the loser of the conditional write reads the winner's id.
"""
from __future__ import annotations

import contextlib

from chalicelib import clock
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.services.payments import cards_gateway
from chalicelib.store.clients import Client, billing_email, get_client
from chalicelib.store.table import conditional, iso


def customer_key(business_id: str, client_id: str) -> str:
    return f"customer-{business_id}-{client_id}"


def existing_customer(business_id: str, client_id: str) -> str | None:
    client = get_client(business_id, client_id)
    return str(client.stripe_customer_id) if client is not None and client.stripe_customer_id else None


def customer_for(business_id: str, client_id: str) -> str:
    """The client's Stripe Customer id, creating the customer on first use."""
    client = get_client(business_id, client_id)
    if client is None:
        raise NotFound("Not found.")
    if client.stripe_customer_id:
        return str(client.stripe_customer_id)
    params: dict[str, object] = {"name": client.name, "metadata": {"business_id": business_id, "client_id": client_id}}
    email = client.email or billing_email(business_id, client_id, None)
    if email:
        params["email"] = email
    customer_id = cards_gateway.create_customer(params, customer_key(business_id, client_id))
    with contextlib.suppress(Conflict):
        conditional(lambda: client.update(actions=[Client.stripe_customer_id.set(customer_id),
                                                   Client.updated_at.set(iso(clock.now()))],
                                          condition=Client.pk.exists() & Client.stripe_customer_id.does_not_exist()),
                    "Already stored.")
        return customer_id
    stored = existing_customer(business_id, client_id)
    if stored is None:
        raise NotFound("Not found.")  # the client was removed meanwhile
    return stored


def keep_card(params: dict[str, object], business_id: str, client_id: str) -> None:
    """Make invoice Checkout `params` save the card for later off-session charges: the client's
    customer (instead of an email: Stripe takes one or the other) and `setup_future_usage`."""
    params.pop("customer_email", None)
    params["customer"] = customer_for(business_id, client_id)
    intent_data = params["payment_intent_data"]
    if isinstance(intent_data, dict):
        intent_data["setup_future_usage"] = "off_session"
