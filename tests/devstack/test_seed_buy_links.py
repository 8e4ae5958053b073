"""The demo data of `make dev` for buy links: the design package's page (`.dev/demo.json` calls it
`buy_url`) shows the offer and what the buyer gets, and a demo link is in `demo_links`."""
from __future__ import annotations

from datetime import date

from tests.conftest import Api


def test_the_demo_has_a_buy_link_for_the_design_package(anonymous: Api) -> None:
    from devstack.seed import seed
    from devstack.server import demo_links

    demo = seed(date(2026, 3, 10))
    assert demo.buy_path.startswith("/buy/")
    page = anonymous.get(demo.buy_path)
    assert page.status == 200
    for seen in ("Brand design package", "1,428.00", "Brand guidelines", ">Buy<"):
        assert seen in page.text, seen

    class Resources:
        endpoint_url, user_pool_id, user_pool_client_id, stripe_webhook_secret = "", "", "", ""

    links = demo_links("http://localhost:8000", demo, Resources(), "")
    assert links["buy_url"] == f"http://localhost:8000{demo.buy_path}"
