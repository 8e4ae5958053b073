"""A recurring buy link, end to end at the service level: creating it makes a recurring price
and registers the business's plan with the link's products; buying it (Stripe: exactly these
Price and Checkout Session parameters; offline: through the offline checkout) starts the
subscription mirror for the buyer's client, found by email, records the paid period as a paid
invoice, opens the product's files and sells the held units once; pausing retires the plan; two
recurring links of one interval are plans a subscriber can switch between."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.domain.buy_link_inputs import BuyInput
from chalicelib.services.payments import stripe_events
from chalicelib.services.selling import offline, purchase
from tests.conftest import Tenant
from tests.support.buy_links import buy_link, digital_product
from tests.support.payments import WEBHOOK_SECRET, stripe_configured_with
from tests.support.portal import client_with_contact
from tests.support.subscriptions import FakeStripeSubscriptions, invoice, stripe_event, subscription

PAGE, BASE, HOOK = "http://localhost/buy/x", "http://localhost", "http://localhost/webhooks/stripe"


class FakeStripePrices(FakeStripeSubscriptions):
    """Stripe's HTTP API for a recurring link: Prices and Checkout Sessions (recorded, idempotent)."""

    refuse_prices = False

    def _answer(self, method: str, path: str, params: dict[str, str]) -> tuple[str, int, dict[str, str]]:
        n = len(self.calls)
        if path == "/v1/prices" and self.refuse_prices:
            return json.dumps({"error": {"type": "api_error", "message": "Stripe is down"}}), 500, {}
        if path == "/v1/prices":
            return json.dumps({"id": f"price_test_{n}", "object": "price", "product": f"prod_test_{n}",
                               "currency": params["currency"], "unit_amount": int(params["unit_amount"])}), 200, {}
        if path == "/v1/checkout/sessions":
            return json.dumps({"id": f"cs_test_{n}", "object": "checkout.session",
                               "url": f"https://checkout.stripe.com/c/pay/cs_test_{n}"}), 200, {}
        return super()._answer(method, path, params)


@pytest.fixture
def stripe_prices(monkeypatch: pytest.MonkeyPatch, chalice_app: Any) -> Iterator[FakeStripePrices]:
    yield from stripe_configured_with(monkeypatch, FakeStripePrices())


@pytest.fixture
def offline_events(monkeypatch: pytest.MonkeyPatch, chalice_app: Any) -> Iterator[list[str]]:
    """No Stripe key: the offline checkout's signed events are verified and applied at once
    (what the webhook and the payments worker do); the outcomes, in order."""
    from chalicelib.config import reset_settings
    from chalicelib.services.payments import offline_checkout, stripe_gateway

    outcomes: list[str] = []
    monkeypatch.setenv("PAYDROP_SECRET_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.delenv("PAYDROP_SECRET_STRIPE_SECRET_KEY", raising=False)
    monkeypatch.setattr(offline_checkout, "deliver", lambda url, payload, header: outcomes.append(
        stripe_events.process(stripe_gateway.verified_event(payload, header))))
    reset_settings()
    stripe_gateway.reset_client()
    yield outcomes
    monkeypatch.undo()
    reset_settings()
    stripe_gateway.reset_client()


def _plan(tenant: Tenant, price_id: str) -> Any:
    from chalicelib.store.subscriptions import get_plan

    return get_plan(tenant.business_id, price_id)


def _link_item(tenant: Tenant, link: dict[str, Any]) -> Any:
    from chalicelib.store.buy_links import get_link

    return get_link(tenant.business_id, link["link_id"], consistent=True)


def _start(link: dict[str, Any], email: str) -> str:
    token = str(link["url"].rsplit("/", 1)[1])
    return purchase.start_purchase(token, BuyInput(email=email, name="Ann Buyer"), None, PAGE, BASE)


def _subscriptions(tenant: Tenant) -> list[Any]:
    from chalicelib.store.subscriptions import Subscription

    return [s for s in Subscription.scan() if s.business_id == tenant.business_id]


def _buyer_state(tenant: Tenant, sub_id: str, resource_id: str) -> tuple[Any, list[dict[str, Any]], str]:
    from chalicelib.store.grants import grants_of_client
    from chalicelib.store.subscriptions import get_subscription

    mirror = get_subscription(sub_id)
    assert mirror is not None and mirror.client_id
    invoices = [i for i in tenant.api.get("/api/v1/invoices").json["items"] if i["client_id"] == mirror.client_id]
    [grant] = [g for g in grants_of_client(tenant.business_id, mirror.client_id) if g.resource_id == resource_id]
    return mirror, invoices, str(grant.state)


def test_a_recurring_link_registers_its_plan_and_sells_a_stripe_subscription(
        tenant: Tenant, stripe_prices: FakeStripePrices) -> None:
    made = digital_product(tenant, price=1000, tax_rate_bp=2000)
    pid = made["product"]["product_id"]
    client_id, _ = client_with_contact(tenant, email="ann@buyer.test")  # the buyer is already a contact
    link = buy_link(tenant, pid, mode="subscription", interval="month", stock=3)
    [made_price] = stripe_prices.made("post", "/v1/prices")
    assert made_price["params"] == {"currency": "eur", "unit_amount": "1200", "recurring[interval]": "month",
                                    "product_data[name]": "The brand package",
                                    "metadata[business_id]": tenant.business_id, "metadata[link_id]": link["link_id"]}
    assert made_price["headers"]["Idempotency-Key"] == f"buy-link-price-{link['link_id']}-1"
    price_id = _link_item(tenant, link).price_id
    plan = _plan(tenant, price_id)
    assert plan.product_ids == [pid] and plan.link_id == link["link_id"] and plan.active
    assert (plan.amount, plan.currency, plan.interval, plan.stripe_product_id) == (1200, "EUR", "month", price_id.replace(
        "price_", "prod_"))

    url = _start(link, "Ann@Buyer.test")
    [session] = stripe_prices.made("post", "/v1/checkout/sessions")
    params = session["params"]
    hold_id = params["metadata[hold_id]"]
    assert url.startswith("https://checkout.stripe.com/")
    assert params["mode"] == "subscription" and params["line_items[0][price]"] == price_id
    assert params["line_items[0][quantity]"] == "1" and not any("price_data" in k for k in params)
    assert params["subscription_data[metadata][product_ids]"] == pid
    assert params["subscription_data[metadata][hold_id]"] == hold_id
    assert params["subscription_data[metadata][link_id]"] == link["link_id"]
    assert tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").json["stock"] == 2  # held

    # Stripe's events for the completed checkout, as Stripe sends them.
    sub_id, t0 = f"sub_rec_{time.time_ns()}", int(time.time()) - 60
    price = {"id": price_id, "object": "price", "product": plan.stripe_product_id, "currency": "eur",
             "unit_amount": 1200, "recurring": {"interval": "month", "interval_count": 1}}
    sub = subscription(sub_id, tenant.business_id, price, "active", t0, link_id=link["link_id"])
    sub["metadata"] = {k[len("subscription_data[metadata]["):-1]: v for k, v in params.items()
                       if k.startswith("subscription_data[metadata]")}
    stripe_prices.subscriptions[sub_id] = sub  # what Stripe answers when the checkout arrives first
    checkout = {"id": session_id_of(stripe_prices), "object": "checkout.session", "mode": "subscription",
                "status": "complete", "payment_status": "paid", "customer": "cus_sub_1", "subscription": sub_id,
                "customer_details": {"email": "ann@buyer.test", "name": "Ann Buyer"},
                "metadata": {k[len("metadata["):-1]: v for k, v in params.items() if k.startswith("metadata[")}}
    for kind, obj in (("checkout.session.completed", checkout), ("customer.subscription.created", sub),
                      ("invoice.paid", invoice(f"in_{sub_id}", sub, "ann@buyer.test", "Ann Buyer", t0 + 1)),
                      ("checkout.session.completed", checkout)):  # Stripe repeats itself: sold once
        stripe_events.process(stripe_event(kind, obj, t0))
    mirror, invoices, grant = _buyer_state(tenant, sub_id, made["resource_id"])
    assert mirror.client_id == client_id and mirror.status == "active" and mirror.product_ids == [pid]
    assert [(i["status"], i["total"]) for i in invoices] == [("paid", 1200)]
    assert grant == "available"
    shown = tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").json
    assert (shown["stock"], shown["sold"]) == (2, 1)


def session_id_of(fake: FakeStripePrices) -> str:
    [call] = fake.made("post", "/v1/checkout/sessions")
    return f"cs_test_{fake.calls.index(call) + 1}"


def test_a_recurring_link_bought_offline_starts_the_subscription(tenant: Tenant, offline_events: list[str]) -> None:
    made = digital_product(tenant, price=900)
    pid = made["product"]["product_id"]
    link = buy_link(tenant, pid, mode="subscription", interval="month", stock=2)
    price_id = _link_item(tenant, link).price_id
    assert price_id == f"price_offline_{link['link_id']}_1"
    assert _plan(tenant, price_id).product_ids == [pid]

    url = _start(link, "bo@buyer.test")
    back = offline.finish(url.rsplit("/", 1)[1], True, HOOK)
    assert back == f"{PAGE}?payment=success"
    # The three events of a subscription checkout, not the one-off sale's single event.
    assert offline_events == ["subscription_started", "subscription_updated", "subscription_period_recorded"]
    [mirror] = _subscriptions(tenant)
    mirror, invoices, grant = _buyer_state(tenant, mirror.subscription_id, made["resource_id"])
    assert mirror.price_id == price_id and mirror.status == "active"
    assert [(i["status"], i["total"]) for i in invoices] == [("paid", 900)]
    assert grant == "available"
    shown = tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").json
    assert (shown["stock"], shown["sold"]) == (1, 1)

    abandoned = _start(link, "cy@buyer.test")
    assert tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").json["stock"] == 0
    offline.finish(abandoned.rsplit("/", 1)[1], False, HOOK)
    assert offline_events[-1] == "units_released"
    assert tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").json["stock"] == 1
    assert len(_subscriptions(tenant)) == 1  # nothing for the one who left


def test_three_seats_bought_offline_bill_three_seats_every_period(
        tenant: Tenant, offline_events: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The quantity the buyer chose is the subscription item's: each period bills unit × quantity,
    on one invoice line of that quantity, and a plan change keeps it."""
    from chalicelib.services.subscriptions import offline as subscriptions_offline

    made = digital_product(tenant, price=900)
    link = buy_link(tenant, made["product"]["product_id"], mode="subscription", interval="month",
                    min_quantity=1, max_quantity=5, adjustable_quantity=True)
    token = str(link["url"].rsplit("/", 1)[1])
    url = purchase.start_purchase(token, BuyInput(email="seats@buyer.test", quantity="3"), None, PAGE, BASE)
    offline.finish(url.rsplit("/", 1)[1], True, HOOK)
    [mirror] = _subscriptions(tenant)
    mirror, invoices, _ = _buyer_state(tenant, mirror.subscription_id, made["resource_id"])
    assert (int(mirror.quantity), int(mirror.amount)) == (3, 2700)
    assert [(i["status"], i["total"]) for i in invoices] == [("paid", 2700)]
    [line] = tenant.api.get(f"/api/v1/invoices/{invoices[0]['id']}").json["lines"]
    assert (str(line["quantity"]), line["unit_price"]) == ("3", 900)
    from chalicelib.services.payments import stripe_gateway

    monkeypatch.setattr(stripe_events, "receive", lambda payload, header: offline_events.append(
        stripe_events.process(stripe_gateway.verified_event(payload, header))))  # the queue, at once
    subscriptions_offline.modify(mirror.subscription_id, {"cancel_at_period_end": True})
    assert offline_events[-1] == "subscription_updated"
    [after] = _subscriptions(tenant)
    assert after.cancel_at_period_end and (int(after.quantity), int(after.amount)) == (3, 2700)  # still 3 seats


def test_pausing_changing_and_deleting_a_link_follow_its_plan(tenant: Tenant, offline_events: list[str]) -> None:
    made = digital_product(tenant, price=900)
    link = buy_link(tenant, made["product"]["product_id"], mode="subscription", interval="month")
    first = _link_item(tenant, link).price_id
    tenant.api.post(f"/api/v1/buy-links/{link['link_id']}/pause")
    assert _plan(tenant, first).active is False
    tenant.api.post(f"/api/v1/buy-links/{link['link_id']}/resume")
    assert _plan(tenant, first).active is True
    tenant.api.patch(f"/api/v1/buy-links/{link['link_id']}", {"title": "Members"})
    assert _link_item(tenant, link).price_id == first and _plan(tenant, first).name == "Members"  # same price
    tenant.api.patch(f"/api/v1/products/{made['product']['product_id']}", {"unit_price": 1500})
    tenant.api.patch(f"/api/v1/buy-links/{link['link_id']}", {"title": "Members+"})
    second = _link_item(tenant, link).price_id
    assert second == f"price_offline_{link['link_id']}_2" and _plan(tenant, second).amount == 1500
    assert _plan(tenant, first).active is False  # the old price: kept for its subscribers, not offered
    tenant.api.delete(f"/api/v1/buy-links/{link['link_id']}")
    assert _plan(tenant, second).active is False


def test_a_subscriber_can_switch_between_two_recurring_links_of_one_interval(
        tenant: Tenant, offline_events: list[str]) -> None:
    from chalicelib.services.subscriptions import plans

    made = digital_product(tenant, price=900)
    pid = made["product"]["product_id"]
    basic = buy_link(tenant, pid, mode="subscription", interval="month")
    pro = buy_link(tenant, pid, mode="subscription", interval="month", title="Pro")
    buy_link(tenant, pid, mode="subscription", interval="year", title="Yearly")
    offline.finish(_start(basic, "dee@buyer.test").rsplit("/", 1)[1], True, HOOK)
    [mirror] = _subscriptions(tenant)
    choices = plans.switch_choices(tenant.business_id, mirror)
    assert [c.link_id for c in choices] == [pro["link_id"]]
    assert choices[0].price_id == _link_item(tenant, pro).price_id


def test_a_recurring_link_stripe_cannot_price_is_not_kept(tenant: Tenant, stripe_prices: FakeStripePrices) -> None:
    made = digital_product(tenant)
    stripe_prices.refuse_prices = True
    reply = tenant.api.post("/api/v1/buy-links", {"title": "Monthly", "product_ids": [made["product"]["product_id"]],
                                                 "mode": "subscription", "interval": "month"})
    assert reply.status == 503 and "Try again" in reply.error["message"], reply.body
    assert tenant.api.get("/api/v1/buy-links").json["items"] == []
