"""A realistic life of one subscription as Stripe's webhook events, for the ordering tests."""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.subscriptions import (  # noqa: F401 (fixture)
    DAY,
    checkout_session,
    invoice,
    stripe_event,
    stripe_subs,
    subscription,
)

_ids = itertools.count(1)


@dataclass
class Life:
    sub_id: str
    email: str
    events: list[dict[str, Any]]
    final: dict[str, Any]  # the subscription as Stripe holds it after the last event


def life(business_id: str, plan: dict[str, Any], ends: bool = True) -> Life:
    """Checkout, an incomplete then active subscription, period 1 paid, period 2 past due then
    paid, then (if `ends`) cancelled at period end and deleted. All in the past, as delivered late."""
    n = next(_ids)
    sub_id, email = f"sub_life_{n}_{int(time.time())}", f"buyer{n}.{int(time.time() * 1000)}@subs.test"
    t0 = int(time.time()) - 40 * DAY
    t1 = t0 + 30 * DAY
    first = subscription(sub_id, business_id, plan, "incomplete", t0)
    active1 = subscription(sub_id, business_id, plan, "active", t0)
    past_due = subscription(sub_id, business_id, plan, "past_due", t1)
    active2 = subscription(sub_id, business_id, plan, "active", t1)
    paid1, paid2 = invoice(f"in_{sub_id}_1", active1, email, "Bo Buyer", t0 + 5), invoice(f"in_{sub_id}_2", active2, email,
                                                                                            "Bo Buyer", t1 + 3600)
    failed = {**invoice(f"in_{sub_id}_2", past_due, email, "Bo Buyer", t1), "status": "open", "amount_paid": 0}
    events = [
        stripe_event("customer.subscription.created", first, t0),
        stripe_event("checkout.session.completed", checkout_session(f"cs_{sub_id}", business_id, sub_id, email,
                                                                     "Bo Buyer"), t0 + 2),
        stripe_event("invoice.paid", paid1, t0 + 5),
        stripe_event("customer.subscription.updated", active1, t0 + 5),
        stripe_event("customer.subscription.updated", past_due, t1 + 10),
        stripe_event("invoice.payment_failed", failed, t1 + 10),
        stripe_event("invoice.paid", paid2, t1 + 3600),
        stripe_event("customer.subscription.updated", active2, t1 + 3600),
    ]
    final = active2
    if ends:
        cancelling = subscription(sub_id, business_id, plan, "active", t1, cancel=True)
        final = {**subscription(sub_id, business_id, plan, "canceled", t1, cancel=True), "canceled_at": t1 + 5 * DAY}
        events += [stripe_event("customer.subscription.updated", cancelling, t1 + DAY),
                   stripe_event("customer.subscription.deleted", final, t1 + 5 * DAY)]
    return Life(sub_id, email, events, final)


@pytest.fixture
def selling(tenant: Any) -> dict[str, Any]:
    from tests.support.subscriptions import selling_business

    return selling_business(tenant)
