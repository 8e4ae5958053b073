"""The demo data of `make dev` for subscriptions (devstack/seed.py `_seed_subscriptions`): Grace,
already a contact of the client, subscribes to the monthly membership through the offline
checkout; once the events are applied the client's portal shows it with its paid invoice and the
members' guide is among the files (`.dev/demo.json` calls the page `subscription_url`). The whole
`seed()` runs once per process (its staff account is fixed): `test_seed_selfserve.py` runs it."""
from __future__ import annotations

import pytest

from tests.conftest import Api, Tenant, drain_stripe_events
from tests.support.cards import offline_stripe  # noqa: F401 (fixture)
from tests.support.client_flows import JSON
from tests.support.portal import client_with_contact, portal_link

pytestmark = pytest.mark.usefixtures("offline_stripe")  # no Stripe key: the offline checkout subscribes Grace


def test_the_demo_has_a_running_subscription(tenant: Tenant, anonymous: Api) -> None:
    from chalicelib.services.identity.staff_auth import verify_id_token
    from devstack.seed import _seed_subscriptions

    client_id, contact_id = client_with_contact(tenant, "Acme Robotics GmbH", "grace@acme.example")
    subscription_id = _seed_subscriptions(verify_id_token(tenant.api.token), tenant.business_id)
    drain_stripe_events()
    portal = portal_link(tenant, client_id, contact_id)
    page = anonymous.get(f"{portal}/subscriptions/{subscription_id}", headers=JSON)
    assert page.status == 200, page.body
    assert (page.json["subscription"]["plan"], page.json["subscription"]["status"]) == ("Members", "active")
    assert [p["price_id"] for p in page.json["plans"]] == ["price_offline_members_plus"]
    assert page.json["invoices"][0]["status"] == "paid"
    files = anonymous.get(f"{portal}?tab=files", headers=JSON).json["entries"]
    assert "Members' guide" in [f["title"] for f in files]
