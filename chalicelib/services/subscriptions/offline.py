"""The offline stand-in for Stripe's subscriptions (local runs without a Stripe key only).

Completing a subscription-mode checkout sends the three signed events a real one sends —
`checkout.session.completed` (mode `subscription`), `customer.subscription.created` and
`invoice.paid` — to the webhook, so the same queue → worker → mirror → invoice → files → email
path runs as with Stripe. A change from the portal (cancel, resume, plan) answers like
`Subscription.modify` does in Stripe: by a signed `customer.subscription.updated`, queued through
the webhook's own `receive`. The subscription as "Stripe" holds it is the mirror those events made.
Ids derive from the checkout session, so completing one twice is the same subscription.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain import payments as pay_rules
from chalicelib.domain.errors import NotFound
from chalicelib.secrets import secret
from chalicelib.services.payments import offline_cards, offline_checkout, stripe_gateway
from chalicelib.services.subscriptions import mirror
from chalicelib.store import subscriptions as store

PERIODS = {"day": timedelta(days=1), "week": timedelta(weeks=1), "month": timedelta(days=30), "year": timedelta(days=365)}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def subscription_id_for(session_id: str) -> str:
    """The offline subscription a checkout session starts (the same for every completion)."""
    return f"sub_offline_{_digest(session_id)}"


def subscription_object(sub_id: str, business_id: str, link_id: str | None, plan: store.Plan, customer: str,
                        start: datetime, *, status: str = "active", cancel_at_period_end: bool = False,
                        quantity: int = 1) -> dict[str, Any]:
    """A subscription as Stripe describes it in its events (API 2025: the period on the item)."""
    end = start + PERIODS.get(plan.interval, PERIODS["month"]) * int(plan.interval_count or 1)
    price = {"id": plan.price_id, "object": "price", "product": plan.stripe_product_id or f"prod_offline_{plan.price_id}",
             "currency": plan.currency.lower(), "unit_amount": pay_rules.to_stripe_units(int(plan.amount), plan.currency),
             "recurring": {"interval": plan.interval, "interval_count": int(plan.interval_count or 1)}}
    item = {"id": f"si_offline_{_digest(sub_id)}", "object": "subscription_item", "price": price, "quantity": quantity,
            "current_period_start": _seconds(start), "current_period_end": _seconds(end)}
    return {"id": sub_id, "object": "subscription", "status": status, "customer": customer, "livemode": False,
            "cancel_at_period_end": cancel_at_period_end, "canceled_at": None, "created": _seconds(start),
            "items": {"object": "list", "data": [item]},
            "metadata": {"business_id": business_id, **({"link_id": link_id} if link_id else {})}}


def complete_checkout(session_id: str, business_id: str, price_id: str, email: str, name: str, webhook_url: str,
                      link_id: str | None = None, deliver: Callable[[str, bytes, str], None] | None = None,
                      metadata: dict[str, str] | None = None) -> str:
    """Pay a subscription-mode offline checkout with the 4242 test card; returns the subscription id.
    `metadata`: more of the session's metadata (a buy link's hold, so its units count as sold);
    its "quantity" is the subscription item's, billed each period as Stripe would."""
    plan = store.get_plan(business_id, price_id)
    if not settings().is_local or plan is None:
        raise NotFound(offline_checkout.NOT_FOUND)
    sub_id = subscription_id_for(session_id)
    customer = offline_cards.create_customer(f"subscriber-{business_id}-{email.lower()}")
    offline_cards.keep_test_card(customer, "4242")
    now = clock.now()
    ids = {"business_id": business_id, **({"link_id": link_id} if link_id else {})}
    quantity = max(1, int((metadata or {}).get("quantity") or 1))
    sub = subscription_object(sub_id, business_id, link_id, plan, customer, now, quantity=quantity)
    session = {"id": session_id, "object": "checkout.session", "mode": "subscription", "livemode": False,
               "status": "complete", "payment_status": "paid", "customer": customer, "subscription": sub_id,
               "customer_details": {"email": email, "name": name}, "metadata": {**(metadata or {}), **ids},
               "amount_total": sub["items"]["data"][0]["price"]["unit_amount"] * quantity,
               "currency": plan.currency.lower()}
    for kind, obj in (("checkout.session.completed", session), ("customer.subscription.created", sub),
                      ("invoice.paid", _invoice(sub, plan, email, name, now))):
        _post(offline_checkout.event(kind, obj), webhook_url, deliver)
    return sub_id


def _invoice(sub: dict[str, Any], plan: store.Plan, email: str, name: str, now: datetime) -> dict[str, Any]:
    item = sub["items"]["data"][0]
    units = item["price"]["unit_amount"] * item["quantity"]
    invoice_id = f"in_offline_{_digest(sub['id'] + str(item['current_period_start']))}"
    return {"id": invoice_id, "object": "invoice", "status": "paid", "customer": sub["customer"],
            "customer_email": email, "customer_name": name, "amount_paid": units, "currency": plan.currency.lower(),
            "billing_reason": "subscription_create", "payment_intent": f"pi_offline_{_digest(invoice_id)}",
            "status_transitions": {"paid_at": _seconds(now)},
            "parent": {"type": "subscription_details",
                       "subscription_details": {"subscription": sub["id"], "metadata": sub["metadata"]}},
            "lines": {"object": "list", "data": [{"description": f"{item['quantity']} × {plan.name}", "amount": units, "period": {
                "start": item["current_period_start"], "end": item["current_period_end"]}}]}}


def _post(event: dict[str, Any], webhook_url: str, deliver: Callable[[str, bytes, str], None] | None) -> None:
    payload = json.dumps(event).encode()
    # Wall-clock time, not `clock`: the stripe library checks the signature's age against time.time().
    header = stripe_gateway.signature_header(payload, secret(stripe_gateway.WEBHOOK_SECRET), int(time.time()))
    (deliver or offline_checkout.deliver)(webhook_url, payload, header)


def modify(subscription_id: str, params: dict[str, Any]) -> None:
    """What `Subscription.modify` does, announced by a queued, signed `customer.subscription.updated`."""
    sub = store.get_subscription(subscription_id)
    if sub is None or not settings().is_local:
        raise NotFound("Not found.")
    price_id = str(params["items"][0]["price"]) if params.get("items") else str(sub.price_id)
    plan = store.get_plan(sub.business_id, price_id)
    if plan is None:
        raise NotFound("That plan is not available.", field="price_id")
    start = datetime.fromisoformat(str(sub.current_period_start).replace("Z", "+00:00")) \
        if sub.current_period_start else clock.now()
    cancel = bool(params.get("cancel_at_period_end", sub.cancel_at_period_end))
    obj = subscription_object(subscription_id, sub.business_id, sub.link_id, plan, str(sub.customer_id or ""), start,
                              status=str(sub.status), cancel_at_period_end=cancel, quantity=int(sub.quantity or 1))
    event = offline_checkout.event("customer.subscription.updated", obj)
    event["created"] = mirror.newer_than_stored(sub)  # newer than the state it changes, as Stripe's would be
    payload = json.dumps(event).encode()
    header = stripe_gateway.signature_header(payload, secret(stripe_gateway.WEBHOOK_SECRET), int(time.time()))
    from chalicelib.services.payments import stripe_events

    stripe_events.receive(payload, header)  # the webhook's own path: verified, then queued
