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


def test_a_product_price_change_is_what_the_next_subscriber_pays(
        tenant: Any, anonymous: Api, offline_webhook: list[int], stripe_worker: QueueWorker) -> None:
    """The page shows the product's price now; the subscription used to be sold at the price the
    link was made with (its recurring price was only remade when the link itself changed), so the
    subscriber paid 49.00 a month on a page saying 99.00."""
    from tests.conftest import local_path

    made = digital_product(tenant)
    link = buy_link(tenant, made["product"]["product_id"], mode="subscription", interval="month")
    changed = tenant.api.patch(f"/api/v1/products/{made['product']['product_id']}", {"unit_price": 9900})
    assert changed.status == 200, changed.body
    assert "99.00" in anonymous.get(local_path(link["url"])).text
    assert buy(anonymous, link["url"], "late@example.test").status == 303
    stripe_worker.drain()
    [invoice] = tenant.api.get("/api/v1/invoices").json["items"]
    assert invoice["total"] == 9900
