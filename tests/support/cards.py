"""Saved cards in tests: a fake Stripe HTTP API that keeps customers, cards and PaymentIntents
the way Stripe does (idempotency keys included) and records every request, for the real
`stripe` library; fixtures that configure it (or the offline stand-in) for a test."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.payments import WEBHOOK_SECRET, stripe_configured_with


class FakeStripeCards:
    """Stands in for Stripe's HTTP API: Customers, their cards, Checkout Sessions, SetupIntents and
    off-session PaymentIntents. `decline_with` makes the next PaymentIntents fail with that code;
    `hold` (a threading.Event) keeps PaymentIntent creations in flight until it is set."""

    name = "fake"

    def __init__(self) -> None:
        import stripe

        self._base = stripe.HTTPClient()
        self.calls: list[dict[str, Any]] = []
        self.customers: dict[str, dict[str, Any]] = {}
        self.cards: dict[str, dict[str, Any]] = {}  # payment method id → {customer, card}
        self.by_key: dict[str, tuple[str, int, dict[str, str]]] = {}  # idempotency key → first answer
        self.decline_with: str | None = None
        self.hold: threading.Event | None = None
        self.in_flight = threading.Event()
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)

    # --- what tests look at ------------------------------------------------------------

    def made(self, method: str, path: str) -> list[dict[str, Any]]:
        """The requests made to `path` (e.g. "/v1/payment_intents"), in order."""
        return [c for c in self.calls if c["method"] == method and c["path"] == path]

    def save_card(self, customer: str, last4: str = "4242", default: bool = True) -> str:
        """What Stripe holds after a setup completed: a card attached to the customer."""
        pm = f"pm_test_{len(self.cards) + 1}"
        self.cards[pm] = {"customer": customer, "card": {"brand": "visa", "last4": last4, "exp_month": 4,
                                                         "exp_year": 2031}}
        if default:
            self.customers[customer]["invoice_settings"]["default_payment_method"] = pm
        return pm

    # --- the HTTP API ------------------------------------------------------------------

    def request_with_retries(self, method: str, url: str, headers: Any, post_data: Any = None, **_: Any) -> Any:
        parts = urlsplit(url)
        params = parse_qs(post_data or parts.query or "")
        call = {"method": method, "url": url, "path": parts.path, "headers": dict(headers or {}),
                "params": {k: v[0] for k, v in params.items()}}
        key = call["headers"].get("Idempotency-Key")
        with self._lock:
            self.calls.append(call)
            if key and key in self.by_key and method == "post":
                return self.by_key[key]  # Stripe answers a repeated key with the first answer
        if parts.path == "/v1/payment_intents" and method == "post" and self.hold is not None:
            self.in_flight.set()
            self.hold.wait(10)
        with self._lock:
            answer = self._answer(method, parts.path, call["params"])
            if key and method == "post":
                answer = self.by_key.setdefault(key, answer)
            return answer

    def _answer(self, method: str, path: str, params: dict[str, str]) -> tuple[str, int, dict[str, str]]:
        segments = path.strip("/").split("/")[1:]
        if segments == ["customers"]:
            customer = {"id": f"cus_test_{len(self.customers) + 1}", "object": "customer",
                        "invoice_settings": {"default_payment_method": None}}
            self.customers[customer["id"]] = customer
            return _ok(customer)
        if segments[0] == "customers" and len(segments) == 2:
            customer = self.customers[segments[1]]
            if method == "post" and "invoice_settings[default_payment_method]" in params:
                customer["invoice_settings"]["default_payment_method"] = params["invoice_settings[default_payment_method]"]
            return _ok(customer)
        if segments[0] == "customers" and segments[2:] == ["payment_methods"]:
            data = [self._pm(pm) for pm, held in self.cards.items() if held["customer"] == segments[1]]
            return _ok({"object": "list", "data": data, "has_more": False, "url": path})
        if segments[0] == "payment_methods":
            if segments[1] not in self.cards:
                return _error(404, "invalid_request_error", "resource_missing", "No such PaymentMethod")
            if segments[2:] == ["detach"]:
                owner = self.customers.get(str(self.cards[segments[1]]["customer"]))
                if owner and owner["invoice_settings"]["default_payment_method"] == segments[1]:
                    owner["invoice_settings"]["default_payment_method"] = None  # as Stripe does
                self.cards[segments[1]]["customer"] = None
            return _ok(self._pm(segments[1]))
        if segments == ["checkout", "sessions"]:
            number = len(self.made("post", "/v1/checkout/sessions"))
            return _ok({"id": f"cs_test_{number}", "object": "checkout.session",
                        "url": f"https://checkout.stripe.com/c/pay/cs_test_{number}"})
        if segments[0] == "setup_intents":
            pm = next(iter(self.cards), None)
            return _ok({"id": segments[1], "object": "setup_intent", "payment_method": pm})
        if segments[0] == "payment_intents":
            return self._intent(method, segments, params)
        return _error(404, "invalid_request_error", "resource_missing", f"unknown {path}")

    def _intent(self, method: str, segments: list[str], params: dict[str, str]) -> tuple[str, int, dict[str, str]]:
        if method != "post":
            return _ok({"id": segments[1], "object": "payment_intent", "payment_method": next(iter(self.cards), None)})
        number = len(self.made("post", "/v1/payment_intents"))
        intent = {"id": f"pi_test_{number}", "object": "payment_intent", "amount": int(params["amount"]),
                  "currency": params["currency"], "status": "succeeded", "customer": params.get("customer")}
        if self.decline_with:
            return _error(402, "card_error", self.decline_with, {
                "authentication_required": "Your card was declined. This transaction requires authentication.",
                "card_declined": "Your card has insufficient funds.",
            }.get(self.decline_with, "Your card was declined."), {**intent, "status": "requires_payment_method"})
        return _ok(intent)

    def _pm(self, pm: str) -> dict[str, Any]:
        held = self.cards[pm]
        return {"id": pm, "object": "payment_method", "type": "card", "customer": held["customer"], "card": held["card"]}


def _ok(body: dict[str, Any]) -> tuple[str, int, dict[str, str]]:
    return json.dumps(body), 200, {}


def _error(status: int, kind: str, code: str, message: str,
           intent: dict[str, Any] | None = None) -> tuple[str, int, dict[str, str]]:
    error: dict[str, Any] = {"type": kind, "code": code, "message": message}
    if intent is not None:
        error["payment_intent"] = intent
    return json.dumps({"error": error}), status, {}


@pytest.fixture
def stripe_cards(monkeypatch: pytest.MonkeyPatch, chalice_app: Any) -> Iterator[FakeStripeCards]:
    """A configured Stripe key whose HTTP calls go to a fresh `FakeStripeCards`."""
    yield from stripe_configured_with(monkeypatch, FakeStripeCards())


def params_of(call: dict[str, Any]) -> dict[str, str]:
    return dict(call["params"])


@pytest.fixture
def offline_stripe(monkeypatch: pytest.MonkeyPatch, chalice_app: Any) -> Iterator[None]:
    """No Stripe key, the local signing secret: the offline stand-in answers for Stripe."""
    from chalicelib.config import reset_settings
    from chalicelib.services.payments import stripe_gateway

    monkeypatch.setenv("PAYDROP_SECRET_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.delenv("PAYDROP_SECRET_STRIPE_SECRET_KEY", raising=False)
    reset_settings()
    stripe_gateway.reset_client()
    yield
    monkeypatch.undo()
    reset_settings()
    stripe_gateway.reset_client()
