"""A recurring buy link bought over HTTP, locally: the public page's Buy, then Pay in the offline
checkout, sends the three events of a subscription checkout through the real webhook and worker:
the buyer becomes a client with a running subscription and a paid invoice, is emailed a sign-in
link, and the link counts one sold."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, QueueWorker
from tests.support.buy_links import buy, buy_link, digital_product

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def test_buying_a_recurring_link_starts_a_subscription(
        tenant: Any, anonymous: Api, offline_webhook: list[int], stripe_worker: QueueWorker, outbox: Any) -> None:
    from chalicelib.store.subscriptions import Subscription

    made = digital_product(tenant)
    link = buy_link(tenant, made["product"]["product_id"], mode="subscription", interval="month", stock=2)
    done = buy(anonymous, link["url"], "Member@Example.test")
    assert done.status == 303 and done.headers["Location"].endswith("?payment=success")
    assert offline_webhook == [200, 200, 200] and stripe_worker.drain() == 3
    [client] = tenant.api.get("/api/v1/clients").json["items"]
    assert client["email"] == "member@example.test"
    [invoice] = tenant.api.get("/api/v1/invoices").json["items"]
    assert (invoice["status"], invoice["total"], invoice["client_id"]) == ("paid", 4900, client["client_id"])
    [mirror] = [s for s in Subscription.scan() if s.business_id == tenant.business_id]
    assert (mirror.status, mirror.client_id, mirror.link_id) == ("active", client["client_id"], link["link_id"])
    [email] = outbox.to("member@example.test")
    assert any("/signin/confirm/" in u for u in email.links)
    shown = tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").json
    assert (shown["stock"], shown["sold"]) == (1, 1)
