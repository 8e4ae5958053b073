"""Online payment in tests: a fake Stripe HTTP API, Stripe events signed as Stripe signs them,
and the steps a client takes to pay an invoice."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

from tests.conftest import Api, QueueWorker, local_path
from tests.support.client_flows import FORM, attach
from tests.support.events import EVENTS, event

WEBHOOK_SECRET = "whsec_test_paydrop"


class FakeStripeHttp:
    """Stands in for Stripe's HTTP API: records each request, answers a Checkout Session."""

    name = "fake"

    def __init__(self) -> None:
        import stripe

        self._base = stripe.HTTPClient()
        self.calls: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)

    def request_with_retries(self, method: str, url: str, headers: Any, post_data: Any = None, **_: Any) -> Any:
        self.calls.append({"method": method, "url": url, "headers": dict(headers or {}),
                           "params": parse_qs(post_data or "")})
        number = len(self.calls)
        body = {"id": f"cs_test_{number}", "object": "checkout.session", "url": f"https://checkout.stripe.com/c/pay/cs_test_{number}"}
        return json.dumps(body), 200, {}


def payable_invoice(tenant: Any, total: int = 10000, **invoice: Any) -> dict[str, Any]:
    """Stripe on, a sent and shared invoice of `total` with a file gated on payment."""
    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True}).status == 200
    doc = tenant.invoice(lines=[{"description": "Course", "unit_price": total}], **invoice)
    grant = attach(tenant, tenant.file(), "invoice", doc["id"], "after_payment")["grants"][0]
    return {"doc": doc, "page": local_path(tenant.share(doc["id"])), "grant": grant}


def press_pay(anonymous: Api, page: str, body: str = "", **headers: str) -> Any:
    return anonymous.call("POST", page + "/pay", body, headers={**FORM, **headers})


def signed_payload(event: dict[str, Any], secret: str = WEBHOOK_SECRET, at: int | None = None) -> tuple[str, str]:
    from chalicelib.services.payments.stripe_gateway import signature_header

    payload = json.dumps(event)
    return payload, signature_header(payload.encode(), secret, at or int(time.time()))


def post_event(anonymous: Api, event: dict[str, Any], **sign: Any) -> Any:
    payload, header = signed_payload(event, **sign)
    return anonymous.call("POST", "/webhooks/stripe", payload,
                          headers={"Content-Type": "application/json", "Stripe-Signature": header})


_event_ids = iter(range(1, 10**6))


def stripe_event(kind: str, obj: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """Stripe's event `kind` as Stripe sends it (tests/events/stripe/<kind>.json) carrying exactly `obj`."""
    sample = event(f"stripe/{kind}") if (EVENTS / "stripe" / f"{kind}.json").exists() else {"object": "event", "type": kind}
    return {**sample, "id": event_id or f"evt_{next(_event_ids)}", "data": {"object": obj}}


def stripe_object(kind: str, **fields: Any) -> dict[str, Any]:
    """The object of sample event `kind` (a charge, a dispute, a Checkout Session) with `fields` changed."""
    return {**event(f"stripe/{kind}")["data"]["object"], **fields}


def checkout_session(tenant: Any, doc: dict[str, Any], session_id: str, amount: int, currency: str = "eur",
                     pi: str = "pi_1", paid: bool = True, **metadata: str) -> dict[str, Any]:
    """A completed Checkout Session for `doc` of `tenant`, as in the sample checkout.session.completed."""
    ids = {"business_id": tenant.business_id, "doc_id": doc["id"], **metadata}
    return stripe_object("checkout.session.completed", id=session_id, payment_status="paid" if paid else "unpaid",
                         amount_total=amount, currency=currency, payment_intent=pi, metadata=ids)


def start_checkout(anonymous: Api, payable: dict[str, Any], amount_text: str = "") -> str:
    """Press Pay; returns the Checkout Session id the invoice now knows."""
    reply = press_pay(anonymous, payable["page"], f"amount_text={amount_text}" if amount_text else "")
    assert reply.status == 303, reply.body
    return reply.headers["Location"].rsplit("/", 1)[1]


def invoice_of(tenant: Any, doc: dict[str, Any]) -> dict[str, Any]:
    return tenant.api.get(f"/api/v1/invoices/{doc['id']}").json  # type: ignore[no-any-return]


def grant_state_of(tenant: Any, doc: dict[str, Any]) -> str:
    [grant] = tenant.api.get(f"/api/v1/invoices/{doc['id']}/grants").json["items"]
    return str(grant["state"])



def completed_checkout(anonymous: Api, worker: QueueWorker, tenant: Any, doc: dict[str, Any], session_id: str, amount: int,
               **kw: Any) -> None:
    assert post_event(anonymous, stripe_event("checkout.session.completed",
                                         checkout_session(tenant, doc, session_id, amount, **kw))).status == 200
    worker.drain()


def stripe_configured_with(monkeypatch: Any, fake: Any) -> Iterator[Any]:
    """A configured Stripe key (and webhook secret) whose HTTP calls go to `fake`; undone after.
    For fixtures: `yield from stripe_configured_with(monkeypatch, FakeSomething())`."""
    from chalicelib.config import reset_settings
    from chalicelib.services.payments import stripe_gateway

    monkeypatch.setenv("PAYDROP_SECRET_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("PAYDROP_SECRET_STRIPE_SECRET_KEY", "sk_test_paydrop")
    monkeypatch.setattr(stripe_gateway, "http_client", fake)
    reset_settings()
    stripe_gateway.reset_client()
    yield fake
    monkeypatch.undo()
    reset_settings()
    stripe_gateway.reset_client()
