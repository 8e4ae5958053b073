"""Several workers at once: one paid period is one invoice, two periods take two numbers, and the
buyer is one contact however many events name them at the same time."""
from __future__ import annotations

from typing import Any

from tests.conftest import Tenant
from tests.services.subscriptions.conftest import life
from tests.services.test_concurrency import _race
from tests.support.subscriptions import FakeStripeSubscriptions


def test_events_applied_at_once_end_as_one(tenant: Tenant, stripe_subs: FakeStripeSubscriptions,
                                           selling: dict[str, Any]) -> None:
    from chalicelib.services.payments import stripe_events
    from chalicelib.store import documents as docs
    from chalicelib.store.clients import contacts_with_email
    from chalicelib.store.subscriptions import load_subscription

    story = life(tenant.business_id, selling["plans"]["basic"], ends=False)
    stripe_subs.subscriptions[story.sub_id] = story.final
    checkout, paid1, paid2 = story.events[1], story.events[2], story.events[6]
    # The same paid invoice under several event ids (a replay), the other period and the checkout, all at once.
    racing = [checkout, paid1, {**paid1, "id": paid1["id"] + "_again"}, {**paid1, "id": paid1["id"] + "_third"}, paid2]
    events = iter(racing)
    results = _race(len(racing), lambda: stripe_events.process(next(events)))
    assert not [r for r in results if isinstance(r, Exception)], results

    mirror, periods = load_subscription(story.sub_id)
    assert mirror is not None
    assert len(contacts_with_email(tenant.business_id, story.email)) == 1
    assert sorted(p.stripe_invoice_id for p in periods) == [f"in_{story.sub_id}_1", f"in_{story.sub_id}_2"]
    numbers = {p.number for p in periods}
    assert len(numbers) == 2
    assert {docs.get_document(tenant.business_id, p.doc_id).status for p in periods} == {"paid"}
