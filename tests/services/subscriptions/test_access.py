"""The files a subscription sells follow its status: available while active or trialing (and
past due, unless the business revokes then), closed when it ends; what staff decided stays, and
every move is in the access log and the release/revoke counts."""
from __future__ import annotations

import time
from typing import Any

import pytest

from tests.conftest import Tenant
from tests.support.metrics import emitted
from tests.support.subscriptions import DAY, FakeStripeSubscriptions, checkout_session, stripe_event, subscription

_n = iter(range(1, 10**6))


def _start(tenant: Tenant, plan: dict[str, Any], status: str = "active") -> dict[str, Any]:
    """A bought subscription in `status`: one subscription event, then the checkout."""
    from chalicelib.services.payments import stripe_events

    n = next(_n)
    sub_id, email = f"sub_acc_{n}_{time.time_ns()}", f"acc{n}.{time.time_ns()}@subs.test"
    t0 = int(time.time()) - 10 * DAY
    stripe_events.process(stripe_event("customer.subscription.updated",
                                       subscription(sub_id, tenant.business_id, plan, status, t0), t0 + 1))
    stripe_events.process(stripe_event("checkout.session.completed",
                                       checkout_session(f"cs_{sub_id}", tenant.business_id, sub_id, email, "Cy"), t0))
    return {"sub_id": sub_id, "t": t0 + 1, "plan": plan}


def _move(tenant: Tenant, started: dict[str, Any], status: str, after: int, kind: str = "customer.subscription.updated") -> str:
    from chalicelib.services.payments import stripe_events

    started["t"] += after
    obj = subscription(started["sub_id"], tenant.business_id, started["plan"], status, started["t"] - after)
    return stripe_events.process(stripe_event(kind, obj, started["t"]))


def grant_of(tenant: Tenant, started: dict[str, Any]) -> Any:
    from chalicelib.store.grants import grants_of_client
    from chalicelib.store.subscriptions import get_subscription

    mirror = get_subscription(started["sub_id"])
    assert mirror is not None and mirror.client_id
    [grant] = [g for g in grants_of_client(tenant.business_id, mirror.client_id) if g.subscription_id == started["sub_id"]]
    return grant


@pytest.mark.parametrize(("status", "state"), [
    ("trialing", "available"), ("active", "available"), ("past_due", "available"), ("incomplete", "locked"),
    ("canceled", "revoked"), ("unpaid", "revoked"), ("incomplete_expired", "locked"), ("paused", "revoked"),
])
def test_files_follow_the_status(tenant: Tenant, stripe_subs: FakeStripeSubscriptions, selling: dict[str, Any],
                                 status: str, state: str) -> None:
    started = _start(tenant, selling["plans"]["basic"], status)
    assert grant_of(tenant, started).state == state


def test_files_close_when_it_ends_and_the_access_log_says_why(tenant: Tenant, stripe_subs: FakeStripeSubscriptions,
                                                              selling: dict[str, Any], capsys: Any) -> None:
    from chalicelib import metrics

    emitted(capsys)
    started = _start(tenant, selling["plans"]["basic"])
    grant = grant_of(tenant, started)
    assert (grant.state, grant.reason, grant.decided_by) == ("available", "subscription_active", "payment")
    assert emitted(capsys)[metrics.GRANTS_RELEASED] == 1
    assert _move(tenant, started, "canceled", DAY, "customer.subscription.deleted") == "subscription_updated"
    grant = grant_of(tenant, started)
    assert (grant.state, grant.reason) == ("revoked", "subscription_ended")
    log = tenant.api.get(f"/api/v1/resources/{selling['resource_id']}/access-log").json["items"]
    mine = [e for e in log if e["grant_id"] == grant.grant_id]
    assert [(e["actor"], e["action"]) for e in mine] == [("subscription", "revoke"), ("subscription", "release")]
    assert emitted(capsys)[metrics.GRANTS_REVOKED] == 1


def test_past_due_keeps_the_files_unless_the_business_says_so(tenant: Tenant, stripe_subs: FakeStripeSubscriptions,
                                                              selling: dict[str, Any]) -> None:
    kept = _start(tenant, selling["plans"]["basic"])
    _move(tenant, kept, "past_due", DAY)
    assert grant_of(tenant, kept).state == "available"

    assert tenant.api.patch("/api/v1/business", {"revoke_when_past_due": True}).json["revoke_when_past_due"] is True
    strict = _start(tenant, selling["plans"]["basic"])
    _move(tenant, strict, "past_due", DAY)
    assert (grant_of(tenant, strict).state, grant_of(tenant, strict).reason) == ("revoked", "subscription_past_due")
    _move(tenant, strict, "active", DAY)  # the retry succeeded: open again
    assert grant_of(tenant, strict).state == "available"


def test_changing_the_past_due_rule_applies_to_subscriptions_already_past_due(
        tenant: Tenant, stripe_subs: FakeStripeSubscriptions, selling: dict[str, Any]) -> None:
    """The setting used to reach only subscriptions whose next event came after it: one already
    past due kept (or stayed without) its files whatever the business now said."""
    overdue, running = _start(tenant, selling["plans"]["basic"]), _start(tenant, selling["plans"]["basic"])
    _move(tenant, overdue, "past_due", DAY)
    assert tenant.api.patch("/api/v1/business", {"revoke_when_past_due": True}).status == 200
    assert (grant_of(tenant, overdue).state, grant_of(tenant, overdue).reason) == ("revoked", "subscription_past_due")
    assert grant_of(tenant, running).state == "available"
    assert tenant.api.patch("/api/v1/business", {"revoke_when_past_due": False}).status == 200
    assert grant_of(tenant, overdue).state == "available"


def test_a_staff_decision_is_not_undone_by_later_subscription_events(
        tenant: Tenant, stripe_subs: FakeStripeSubscriptions, selling: dict[str, Any]) -> None:
    rid = selling["resource_id"]
    revoked = _start(tenant, selling["plans"]["basic"])
    grant = grant_of(tenant, revoked)
    reply = tenant.api.post(f"/api/v1/resources/{rid}/grants/{grant.grant_id}/revoke")
    assert reply.status == 200, reply.body
    assert _move(tenant, revoked, "active", DAY) == "subscription_updated"  # a renewal after staff revoked
    assert (grant_of(tenant, revoked).state, grant_of(tenant, revoked).decided_by) == ("revoked", "staff")

    released = _start(tenant, selling["plans"]["basic"])
    grant = grant_of(tenant, released)
    assert tenant.api.post(f"/api/v1/resources/{rid}/grants/{grant.grant_id}/release").status == 200
    _move(tenant, released, "canceled", DAY, "customer.subscription.deleted")
    assert grant_of(tenant, released).state == "available"  # staff let this buyer keep it


def test_staff_hand_a_file_back_to_the_subscription(tenant: Tenant, stripe_subs: FakeStripeSubscriptions,
                                                    selling: dict[str, Any]) -> None:
    rid = selling["resource_id"]
    started = _start(tenant, selling["plans"]["basic"])
    grant = grant_of(tenant, started)
    assert tenant.api.post(f"/api/v1/resources/{rid}/grants/{grant.grant_id}/revoke").status == 200
    reply = tenant.api.post(f"/api/v1/resources/{rid}/grants/{grant.grant_id}/follow_payment")
    assert reply.status == 200, reply.body
    assert (grant_of(tenant, started).state, grant_of(tenant, started).decided_by) == ("available", "payment")
    _move(tenant, started, "canceled", DAY, "customer.subscription.deleted")  # it follows the subscription again
    assert grant_of(tenant, started).state == "revoked"
