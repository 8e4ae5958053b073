"""What the mirror keeps of a Stripe subscription, and what it leaves alone: a trial's free first
invoice records nothing; subscriptions and invoices not sold through Paydrop are ignored."""
from __future__ import annotations

import time
from typing import Any

from tests.conftest import Tenant
from tests.support.subscriptions import (
    DAY,
    FakeStripeSubscriptions,
    checkout_session,
    invoice,
    stripe_event,
    subscription,
)


def _process(kind: str, obj: dict[str, Any], at: int) -> str:
    from chalicelib.services.payments import stripe_events

    return stripe_events.process(stripe_event(kind, obj, at))


def test_the_mirror_keeps_plan_period_buyer_and_customer(tenant: Tenant, stripe_subs: FakeStripeSubscriptions,
                                                         selling: dict[str, Any]) -> None:
    from chalicelib.services.subscriptions.objects import when
    from chalicelib.store.clients import get_client
    from chalicelib.store.subscriptions import get_subscription

    sub_id, t0 = f"sub_mirror_{time.time_ns()}", int(time.time()) - DAY
    trial = {**subscription(sub_id, tenant.business_id, selling["plans"]["pro"], "trialing", t0, customer="cus_m1"),
             "trial_end": t0 + 14 * DAY}
    assert _process("customer.subscription.created", trial, t0) == "subscription_updated"
    assert _process("checkout.session.completed", checkout_session(
        f"cs_{sub_id}", tenant.business_id, sub_id, "ivy@subs.test", "Ivy", customer="cus_m1", link_id="link_pro"),
        t0) == "subscription_started"
    free = {**invoice(f"in_{sub_id}", trial, "ivy@subs.test", "Ivy", t0), "amount_paid": 0}
    assert _process("invoice.paid", free, t0) == "subscription_nothing_paid"

    mirror = get_subscription(sub_id)
    assert mirror is not None
    item = trial["items"]["data"][0]
    assert (mirror.status, mirror.plan_name, int(mirror.amount), mirror.currency, mirror.interval) == \
        ("trialing", "Pro", 1900, "EUR", "month")
    assert (mirror.current_period_end, mirror.link_id, mirror.item_id) == \
        (when(item["current_period_end"]), "link_1", f"si_{sub_id}")
    assert mirror.product_ids == [selling["product_id"]]
    client = get_client(tenant.business_id, mirror.client_id)
    assert client is not None and client.stripe_customer_id == "cus_m1" and client.email == "ivy@subs.test"
    detail = tenant.api.get(f"/api/v1/subscriptions/{sub_id}").json
    assert detail["invoices"] == [] and [g["state"] for g in detail["grants"]] == ["available"]


def test_what_was_not_sold_through_paydrop_is_ignored(tenant: Tenant, stripe_subs: FakeStripeSubscriptions,
                                                      selling: dict[str, Any]) -> None:
    t0 = int(time.time())
    dashboard = {**subscription("sub_dashboard_1", tenant.business_id, selling["plans"]["basic"], "active", t0),
                 "metadata": {}}
    assert _process("customer.subscription.updated", dashboard, t0) == "ignored_foreign_subscription"
    one_off = {**invoice("in_one_off", dashboard, "x@subs.test", "X", t0), "parent": None}
    assert _process("invoice.paid", one_off, t0) == "ignored_not_a_subscription"
    assert tenant.api.get("/api/v1/subscriptions").json["items"] == []
