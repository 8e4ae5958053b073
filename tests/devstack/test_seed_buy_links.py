"""`make dev`'s buy link (devstack/seed.py `_seed_buy_links`), run on a fresh business: the design
package's page shows the offer and what the buyer gets; `.dev/demo.json` calls it `buy_url`."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from chalicelib.domain.permissions import ROLE_PERMISSIONS
from chalicelib.domain.principal import Principal
from devstack.seed import _seed_buy_links
from devstack.server import demo_links
from tests.conftest import Api
from tests.support.buy_links import digital_product


def test_the_demo_buy_link_sells_the_design_package(tenant: Any, anonymous: Api) -> None:
    owner = Principal("seed", tenant.email, tenant.business_id, ("owner",), ROLE_PERMISSIONS["owner"])
    made = digital_product(tenant, price=120000, tax_rate_bp=1900, title="Brand guidelines")
    path = _seed_buy_links(owner, made["product"]["product_id"])
    assert path.startswith("/buy/")
    page = anonymous.get(path)
    assert page.status == 200
    for seen in ("Brand design package", "€1,428.00", "Brand guidelines", ">Buy<"):
        assert seen in page.text, seen
    [link] = tenant.api.get("/api/v1/buy-links").json["items"]
    assert (link["stock"], link["per_buyer_limit"], link["state"]) == (25, 5, "open")


def test_demo_json_has_the_buy_url() -> None:
    resources = SimpleNamespace(endpoint_url="", user_pool_id="", user_pool_client_id="", stripe_webhook_secret="")
    demo = SimpleNamespace(staff_email="", staff_password="", share_token="s", claim_token="c", portal_token="p",
                           preferences_token="e", business_id="b", sent_invoice_id="", draft_invoice_id="",
                           approval_project_id="", deliverable_id="", registration_path="", recurring_id="",
                           conversation_id="", buy_path="/buy/abc", project_id="", subscription_id="")
    assert demo_links("http://localhost:8000", demo, resources, "")["buy_url"] == "http://localhost:8000/buy/abc"
