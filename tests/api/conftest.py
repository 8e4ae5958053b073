"""Fixtures shared by the HTTP-level tests: Stripe configured (or not), the offline checkout
wired through the test client, a per-IP pay budget per test."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, local_path
from tests.support.payments import WEBHOOK_SECRET, FakeStripeHttp


@pytest.fixture
def one_test_per_ip(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test request comes from one address: give each test its own per-IP budget.

    Payment modules opt in with `pytestmark = pytest.mark.usefixtures("one_test_per_ip")`."""
    from chalicelib.services.payments import checkout

    monkeypatch.setattr(checkout, "PER_IP", 10_000)


@pytest.fixture
def stripe_secrets(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The local webhook signing secret; no Stripe key, so Pay uses the offline checkout."""
    from chalicelib.config import reset_settings
    from chalicelib.services.payments import stripe_gateway

    monkeypatch.setenv("PAYDROP_SECRET_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.delenv("PAYDROP_SECRET_STRIPE_SECRET_KEY", raising=False)
    reset_settings()
    stripe_gateway.reset_client()
    yield monkeypatch
    monkeypatch.undo()
    reset_settings()
    stripe_gateway.reset_client()


@pytest.fixture
def stripe_api(stripe_secrets: Any) -> FakeStripeHttp:
    """A configured Stripe key whose HTTP calls go to `FakeStripeHttp`."""
    from chalicelib.config import reset_settings
    from chalicelib.services.payments import stripe_gateway

    fake = FakeStripeHttp()
    stripe_secrets.setenv("PAYDROP_SECRET_STRIPE_SECRET_KEY", "sk_test_paydrop")
    stripe_secrets.setattr(stripe_gateway, "http_client", fake)
    reset_settings()
    stripe_gateway.reset_client()
    return fake


@pytest.fixture
def offline_webhook(anonymous: Api, stripe_secrets: Any) -> list[int]:
    """Route the offline checkout's webhook POST through the test client (there is no server)."""
    from chalicelib.services.payments import offline_checkout

    statuses: list[int] = []

    def deliver(url: str, payload: bytes, header: str) -> None:
        reply = anonymous.call("POST", local_path(url), payload.decode(),
                               headers={"Content-Type": "application/json", "Stripe-Signature": header})
        statuses.append(reply.status)

    stripe_secrets.setattr(offline_checkout, "deliver", deliver)
    return statuses

from tests.support.webhooks import receiver, webhooks_worker  # noqa: E402, F401 - fixtures (developer API tests)
