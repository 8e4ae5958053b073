"""Stripe does not deliver events in order, and delivers some twice: whatever the order of a
subscription's events (checkout, created, updated, invoices paid and failed, deleted), and however
often each comes, the stored subscription, its paid invoices, its buyer and its files end the
same. A model test over permutations (hypothesis) with re-deliveries mixed in."""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Tenant
from tests.services.subscriptions.conftest import Life, life
from tests.support.subscriptions import FakeStripeSubscriptions


def _deliver(events: list[dict[str, Any]]) -> list[str]:
    from chalicelib.services.payments import stripe_events

    return [stripe_events.process(e) for e in events]


def stored(tenant: Tenant, story: Life) -> dict[str, Any]:
    """What a user can notice: the subscription, its invoices, the buyer's client and the files."""
    from chalicelib.store import documents as docs
    from chalicelib.store.clients import contacts_with_email
    from chalicelib.store.grants import grants_of_client
    from chalicelib.store.subscriptions import load_subscription

    mirror, periods = load_subscription(story.sub_id)
    assert mirror is not None and mirror.client_id
    contacts = contacts_with_email(tenant.business_id, story.email)
    numbers = [p.number for p in periods]
    invoices = sorted((p.stripe_invoice_id, int(p.amount), docs.get_document(tenant.business_id, p.doc_id).status)
                      for p in periods)
    grants = [g.state for g in grants_of_client(tenant.business_id, mirror.client_id) if g.subscription_id == story.sub_id]
    return {"status": mirror.status, "period_end": mirror.current_period_end, "cancel": mirror.cancel_at_period_end,
            "price": mirror.price_id, "amount": int(mirror.amount), "contacts": len(contacts),
            "same_client": {c.client_id for c in contacts} == {mirror.client_id}, "invoices": invoices,
            "distinct_numbers": len(set(numbers)) == len(numbers), "grants": grants}


def expected(story: Life, ends: bool) -> dict[str, Any]:
    from chalicelib.services.subscriptions.objects import when

    item = story.final["items"]["data"][0]
    return {"status": "canceled" if ends else "active", "period_end": when(item["current_period_end"]), "cancel": ends,
            "price": "price_basic", "amount": 900, "contacts": 1, "same_client": True,
            "invoices": [(f"in_{story.sub_id}_1", 900, "paid"), (f"in_{story.sub_id}_2", 900, "paid")],
            "distinct_numbers": True, "grants": ["revoked" if ends else "available"]}


def test_in_order_the_story_is_told(tenant: Tenant, stripe_subs: FakeStripeSubscriptions, selling: dict[str, Any]) -> None:
    story = life(tenant.business_id, selling["plans"]["basic"])
    stripe_subs.subscriptions[story.sub_id] = story.final
    outcomes = _deliver(story.events)
    assert outcomes[:3] == ["subscription_updated", "subscription_started", "subscription_period_recorded"]
    assert stored(tenant, story) == expected(story, ends=True)
    assert stripe_subs.calls == []  # in order, nothing had to be read back from Stripe


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_order_with_redeliveries_ends_the_same(tenant: Tenant, stripe_subs: FakeStripeSubscriptions,
                                                   selling: dict[str, Any], data: st.DataObject) -> None:
    ends = data.draw(st.booleans(), label="ends")
    story = life(tenant.business_id, selling["plans"]["basic"], ends=ends)
    stripe_subs.subscriptions[story.sub_id] = story.final  # Stripe is ahead of its webhooks
    order = data.draw(st.permutations(story.events), label="order")
    again = data.draw(st.lists(st.tuples(st.sampled_from(story.events), st.integers(0, len(order))), max_size=4),
                      label="redelivered")
    for event, position in again:  # a re-delivery comes after the first delivery of the same event
        first = next(i for i, e in enumerate(order) if e["id"] == event["id"])
        order.insert(max(position, first + 1), event)
    outcomes = _deliver(order)
    assert outcomes.count("duplicate") == len(again)
    assert stored(tenant, story) == expected(story, ends)


def test_a_redelivered_event_changes_nothing(tenant: Tenant, stripe_subs: FakeStripeSubscriptions,
                                             selling: dict[str, Any], outbox: Any) -> None:
    from chalicelib.store.subscriptions import get_subscription

    story = life(tenant.business_id, selling["plans"]["basic"], ends=False)
    _deliver(story.events)
    before = stored(tenant, story)
    mirror = get_subscription(story.sub_id)
    assert _deliver(story.events) == ["duplicate"] * len(story.events)
    # The same facts under new event ids (a replay from Stripe's Dashboard): not newer, nothing moves.
    replayed = [{**e, "id": e["id"] + "_replay"} for e in story.events]
    outcomes = _deliver(replayed)
    assert "subscription_updated" not in outcomes
    assert stored(tenant, story) == before
    after = get_subscription(story.sub_id)
    assert after is not None and mirror is not None and after.state_key == mirror.state_key


def test_a_paid_invoice_before_everything_reads_the_subscription_from_stripe(
        tenant: Tenant, stripe_subs: FakeStripeSubscriptions, selling: dict[str, Any]) -> None:
    from chalicelib.services.subscriptions.objects import when

    story = life(tenant.business_id, selling["plans"]["basic"], ends=False)
    stripe_subs.subscriptions[story.sub_id] = story.final
    paid_first = story.events[2]
    assert _deliver([paid_first]) == ["subscription_period_recorded"]
    [read] = stripe_subs.calls
    assert (read["method"], read["path"]) == ("get", f"/v1/subscriptions/{story.sub_id}")
    now = stored(tenant, story)
    assert now["status"] == "active" and now["grants"] == ["available"]
    assert now["period_end"] == when(story.final["items"]["data"][0]["current_period_end"])
    assert now["invoices"] == [(f"in_{story.sub_id}_1", 900, "paid")]
