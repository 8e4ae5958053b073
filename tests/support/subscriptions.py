"""Subscriptions in tests: a fake Stripe HTTP API for Subscriptions (retrieve and modify, with
idempotency keys, for the real `stripe` library), Stripe-shaped subscription, invoice and
Checkout Session objects with the metadata a recurring buy link puts on them, and a business
that sells a subscription (a product with a file released after payment, and its plans)."""
from __future__ import annotations

import copy
import itertools
import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.client_flows import attach
from tests.support.payments import stripe_configured_with

DAY = 86_400
_numbers = itertools.count(1)


class FakeStripeSubscriptions:
    """Stands in for Stripe's HTTP API: `subscriptions` holds each subscription as Stripe has it now;
    GET answers it, POST applies `cancel_at_period_end` and `items` like Subscription.modify."""

    name = "fake"

    def __init__(self) -> None:
        import stripe

        self._base = stripe.HTTPClient()
        self.calls: list[dict[str, Any]] = []
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.prices: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, tuple[str, int, dict[str, str]]] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)

    def made(self, method: str, path: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["method"] == method and c["path"] == path]

    def request_with_retries(self, method: str, url: str, headers: Any, post_data: Any = None, **_: Any) -> Any:
        parts = urlsplit(url)
        params = {k: v[0] for k, v in parse_qs(post_data or parts.query or "").items()}
        call = {"method": method, "path": parts.path, "headers": dict(headers or {}), "params": params}
        key = call["headers"].get("Idempotency-Key")
        with self._lock:
            self.calls.append(call)
            if key and method == "post" and key in self.by_key:
                return self.by_key[key]
            answer = self._answer(method, parts.path, params)
            if key and method == "post":
                self.by_key[key] = answer
            return answer

    def _answer(self, method: str, path: str, params: dict[str, str]) -> tuple[str, int, dict[str, str]]:
        segments = path.strip("/").split("/")[1:]
        if segments[0] != "subscriptions" or len(segments) != 2 or segments[1] not in self.subscriptions:
            error = {"type": "invalid_request_error", "code": "resource_missing", "message": f"No such {path}"}
            return json.dumps({"error": error}), 404, {}
        sub = self.subscriptions[segments[1]]
        if method == "post":
            if "cancel_at_period_end" in params:
                sub["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
            if "items[0][price]" in params:
                item = sub["items"]["data"][0]
                assert params["items[0][id]"] == item["id"], "a plan change replaces the price of the existing item"
                item["price"] = copy.deepcopy(self.prices[params["items[0][price]"]])
        return json.dumps(sub), 200, {}


@pytest.fixture
def stripe_subs(monkeypatch: pytest.MonkeyPatch, chalice_app: Any) -> Iterator[FakeStripeSubscriptions]:
    """A configured Stripe key whose HTTP calls go to a fresh `FakeStripeSubscriptions`."""
    yield from stripe_configured_with(monkeypatch, FakeStripeSubscriptions())


# --- Stripe objects ---------------------------------------------------------------------


def price(price_id: str, amount: int, interval: str = "month", currency: str = "eur") -> dict[str, Any]:
    return {"id": price_id, "object": "price", "product": f"prod_{price_id}", "currency": currency,
            "unit_amount": amount, "recurring": {"interval": interval, "interval_count": 1}}


def subscription(sub_id: str, business_id: str, plan: dict[str, Any], status: str, start: int, *,
                 cancel: bool = False, customer: str = "cus_sub_1", link_id: str = "link_1") -> dict[str, Any]:
    """A subscription as in Stripe's events (API 2025-03-31+: the period is on the item)."""
    item = {"id": f"si_{sub_id}", "object": "subscription_item", "price": copy.deepcopy(plan), "quantity": 1,
            "current_period_start": start, "current_period_end": start + 30 * DAY}
    return {"id": sub_id, "object": "subscription", "status": status, "customer": customer,
            "cancel_at_period_end": cancel, "canceled_at": None, "created": start,
            "items": {"object": "list", "data": [item]},
            "metadata": {"business_id": business_id, "link_id": link_id}}


def invoice(invoice_id: str, sub: dict[str, Any], email: str, name: str, paid_at: int) -> dict[str, Any]:
    """A paid invoice of the subscription's current period (its subscription under `parent`, as in 2025)."""
    item = sub["items"]["data"][0]
    return {"id": invoice_id, "object": "invoice", "status": "paid", "customer": sub["customer"],
            "customer_email": email, "customer_name": name, "amount_paid": item["price"]["unit_amount"],
            "currency": item["price"]["currency"], "payment_intent": f"pi_{invoice_id}",
            "status_transitions": {"paid_at": paid_at},
            "parent": {"type": "subscription_details",
                       "subscription_details": {"subscription": sub["id"], "metadata": sub["metadata"]}},
            "lines": {"object": "list", "data": [{"description": "1 × Plan", "period": {
                "start": item["current_period_start"], "end": item["current_period_end"]}}]}}


def checkout_session(session_id: str, business_id: str, sub_id: str, email: str, name: str,
                     customer: str = "cus_sub_1", link_id: str = "link_1") -> dict[str, Any]:
    """A completed subscription-mode Checkout Session of a recurring buy link (metadata as the link sets it)."""
    return {"id": session_id, "object": "checkout.session", "mode": "subscription", "status": "complete",
            "payment_status": "paid", "customer": customer, "subscription": sub_id,
            "customer_details": {"email": email, "name": name},
            "metadata": {"business_id": business_id, "link_id": link_id}}


def stripe_event(kind: str, obj: dict[str, Any], created: int, event_id: str | None = None) -> dict[str, Any]:
    return {"id": event_id or f"evt_sub_{next(_numbers)}", "object": "event", "type": kind, "created": created,
            "livemode": False, "api_version": "2025-03-31.basil", "data": {"object": copy.deepcopy(obj)}}


# --- a business that sells a subscription ------------------------------------------------


def selling_business(tenant: Any) -> dict[str, Any]:
    """A product with a file released after payment, and the business's plans: Basic and Pro
    monthly, Annual yearly (registered as the buy links would)."""
    from chalicelib.services.subscriptions.plans import register_plan

    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True}).status == 200
    product = tenant.api.post("/api/v1/products", {"name": "Member area", "unit_price": 900})
    assert product.status == 201, product.body
    product_id = product.json["product_id"] if "product_id" in product.json else product.json["id"]
    rid = tenant.file(b"Members' handbook", "members.pdf", title="Members' handbook")
    attach(tenant, rid, "product", product_id, "after_payment")
    plans = {"basic": price("price_basic", 900), "pro": price("price_pro", 1900),
             "annual": price("price_annual", 9000, "year")}
    for name, plan in plans.items():
        register_plan(tenant.business_id, plan["id"], name.title(), int(plan["unit_amount"]), "EUR",
                      plan["recurring"]["interval"], product_ids=[product_id], link_id=f"link_{name}")
    return {"product_id": product_id, "resource_id": rid, "plans": plans}
