"""Stripe's subscription, invoice and Checkout Session objects read into what Paydrop keeps.

Stripe moved some fields between API versions (the period to the subscription's items in
2025-03-31, an invoice's subscription to `parent.subscription_details`): both places are read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain import payments as pay_rules
from chalicelib.domain import subscriptions as rules
from chalicelib.store.table import iso


def when(seconds: Any) -> str | None:
    """A Stripe timestamp (seconds) as our ISO text."""
    return iso(datetime.fromtimestamp(int(seconds), UTC)) if seconds else None


def metadata_of(obj: dict[str, Any]) -> dict[str, str]:
    metadata = obj.get("metadata")
    return {str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, dict) else {}


@dataclass(frozen=True)
class SubscriptionState:
    subscription_id: str
    business_id: str | None
    status: str
    fields: dict[str, Any]  # the mirror's state attributes, as stored


def _first_item(sub: dict[str, Any]) -> dict[str, Any]:
    items = sub.get("items")
    data = items.get("data") if isinstance(items, dict) else None
    return data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}


def state_of(sub: dict[str, Any], created: int) -> SubscriptionState:
    """A subscription object (from an event's data, or retrieved) as the mirror's state."""
    item = _first_item(sub)
    price = _dict(item.get("price"))
    recurring = _dict(price.get("recurring"))
    currency = str(price.get("currency") or "").upper() or None
    quantity = int(item.get("quantity") or 1)
    amount = pay_rules.from_stripe_units(int(price.get("unit_amount") or 0) * quantity, currency) \
        if currency and price.get("unit_amount") is not None else None
    status = str(sub.get("status") or rules.INCOMPLETE)
    period_start = sub.get("current_period_start") or item.get("current_period_start")
    period_end = sub.get("current_period_end") or item.get("current_period_end")
    metadata = metadata_of(sub)
    fields: dict[str, Any] = {
        "status": status, "state_at": when(created), "customer_id": _id(sub.get("customer")),
        "current_period_start": when(period_start), "current_period_end": when(period_end),
        "cancel_at_period_end": bool(sub.get("cancel_at_period_end")), "canceled_at": when(sub.get("canceled_at")),
        "item_id": item.get("id"), "price_id": price.get("id"), "stripe_product_id": _id(price.get("product")),
        "amount": amount, "quantity": quantity, "currency": currency, "interval": recurring.get("interval"),
        "interval_count": int(recurring.get("interval_count") or 1) if recurring else None,
        "link_id": metadata.get("link_id"),
    }
    return SubscriptionState(str(sub["id"]), metadata.get("business_id"), status, fields)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> str | None:
    """An expandable Stripe field: an id, or the object with its id."""
    if isinstance(value, dict):
        return str(value["id"]) if value.get("id") else None
    return str(value) if value else None


@dataclass(frozen=True)
class PaidInvoice:
    invoice_id: str
    subscription_id: str | None
    business_id: str | None
    customer_id: str | None
    email: str | None
    name: str | None
    amount: int
    currency: str
    payment_intent: str | None
    period_start: str | None
    period_end: str | None
    paid_at: str | None
    description: str


def invoice_of(invoice: dict[str, Any]) -> PaidInvoice:
    details = _dict(invoice.get("subscription_details") or _dict(invoice.get("parent")).get("subscription_details"))
    subscription = _id(invoice.get("subscription")) or _id(details.get("subscription"))
    currency = str(invoice.get("currency") or "").upper()
    lines = (invoice.get("lines") or {}).get("data") or []
    line = lines[0] if lines and isinstance(lines[0], dict) else {}
    period = _dict(line.get("period"))
    paid = (invoice.get("status_transitions") or {}).get("paid_at")
    return PaidInvoice(
        invoice_id=str(invoice["id"]), subscription_id=subscription,
        business_id=metadata_of(details).get("business_id") or metadata_of(invoice).get("business_id"),
        customer_id=_id(invoice.get("customer")), email=invoice.get("customer_email"),
        name=invoice.get("customer_name"),
        amount=pay_rules.from_stripe_units(int(invoice.get("amount_paid") or 0), currency), currency=currency,
        payment_intent=_id(invoice.get("payment_intent")),
        period_start=when(period.get("start") or invoice.get("period_start")),
        period_end=when(period.get("end") or invoice.get("period_end")), paid_at=when(paid),
        description=str(line.get("description") or "Subscription"),
    )


@dataclass(frozen=True)
class Buyer:
    session_id: str
    subscription_id: str
    business_id: str
    link_id: str | None
    customer_id: str | None
    email: str
    name: str


def buyer_of(session: dict[str, Any]) -> Buyer | None:
    """Who bought a subscription-mode Checkout Session; None if it is not one of ours."""
    metadata = metadata_of(session)
    details = _dict(session.get("customer_details"))
    email = details.get("email") or session.get("customer_email")
    subscription = _id(session.get("subscription"))
    if not metadata.get("business_id") or not subscription or not email:
        return None
    return Buyer(str(session["id"]), subscription, metadata["business_id"], metadata.get("link_id"),
                 _id(session.get("customer")), str(email).strip().lower(),
                 str(details.get("name") or email).strip())
