"""Buy links in tests: a product with a file that opens after payment, a link for it, and the
steps a buyer takes on the public page and the offline checkout."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from tests.conftest import Api, Reply, local_path
from tests.support.client_flows import FORM, attach


def digital_product(tenant: Any, price: int = 4900, tax_rate_bp: int = 0, title: str = "Design package") -> dict[str, Any]:
    """Stripe on, a product with an `after_payment` file; returns the product and the file's id."""
    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True}).status == 200
    product = tenant.api.post("/api/v1/products", {"name": "Brand design package", "unit_price": price,
                                                   "tax_rate_bp": tax_rate_bp}).json
    rid = tenant.file(b"%PDF-1.4 the package", "package.pdf", title=title)
    attach(tenant, rid, "product", product["product_id"], "after_payment")
    return {"product": product, "resource_id": rid}


def buy_link(tenant: Any, product_id: str, **fields: Any) -> dict[str, Any]:
    reply = tenant.api.post("/api/v1/buy-links", {"title": "The brand package", "product_ids": [product_id], **fields})
    assert reply.status == 201, reply.body
    return reply.json  # type: ignore[no-any-return]


def press_buy(anonymous: Api, url: str, email: str, **fields: str) -> Reply:
    return anonymous.call("POST", local_path(url), urlencode({"email": email, **fields}), headers=FORM)


def buy(anonymous: Api, url: str, email: str, outcome: str = "pay", **fields: str) -> Reply:
    """Buy on the page, then pay (or abandon) in the offline checkout; the checkout's answer."""
    pressed = press_buy(anonymous, url, email, **fields)
    assert pressed.status == 303, pressed.body
    return anonymous.call("POST", local_path(pressed.headers["Location"]), f"outcome={outcome}", headers=FORM)
