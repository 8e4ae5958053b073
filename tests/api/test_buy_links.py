"""Buy links over HTTP: staff create, change, pause and delete them (validated, per business);
the public page sells through the offline checkout and the real webhook path."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, QueueWorker, local_path
from tests.support.buy_links import buy, buy_link, digital_product, press_buy
from tests.support.client_flows import JSON, assert_client_headers

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def test_staff_create_list_change_pause_and_delete_a_link(tenant: Any, anonymous: Api) -> None:
    made = digital_product(tenant)
    link = buy_link(tenant, made["product"]["product_id"], stock=5, per_buyer_limit=2, max_quantity=3,
                    adjustable_quantity=True, allow_promotion_codes=True)
    assert link["state"] == "open" and link["stock"] == 5 and link["url"].startswith("http")
    assert link["link_id"] not in link["url"]  # the URL names neither the link nor the business
    listed = tenant.api.get("/api/v1/buy-links").json["items"]
    assert [x["link_id"] for x in listed] == [link["link_id"]]
    changed = tenant.api.patch(f"/api/v1/buy-links/{link['link_id']}", {"title": "Now cheaper", "stock": 0}).json
    assert changed["title"] == "Now cheaper" and changed["state"] == "sold_out"
    paused = tenant.api.post(f"/api/v1/buy-links/{link['link_id']}/pause").json
    assert paused["state"] == "paused" and "paused" in anonymous.get(local_path(link["url"])).text
    assert tenant.api.post(f"/api/v1/buy-links/{link['link_id']}/resume").json["paused"] is False
    assert tenant.api.delete(f"/api/v1/buy-links/{link['link_id']}").status == 200
    assert tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").status == 404
    assert anonymous.get(local_path(link["url"])).status == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "x", "product_ids": []}, "product_ids"),
    ({"title": "x", "product_ids": ["nope"]}, "product_ids[0]"),
    ({"title": "", "product_ids": ["p"]}, "title"),
    ({"title": "x", "product_ids": ["p"], "min_quantity": 3, "max_quantity": 2}, "max_quantity"),
    ({"title": "x", "product_ids": ["p"], "mode": "subscription"}, "interval"),
    ({"title": "x", "product_ids": ["p"], "interval": "month"}, "interval"),
    ({"title": "x", "product_ids": ["p"], "stock": -1}, "stock"),
    ({"title": "x", "product_ids": ["p"], "mode": "weekly"}, "mode"),
    ({"title": "x", "product_ids": ["p"], "surprise": 1}, None),
])
def test_bad_links_are_refused_in_words_and_nothing_is_written(tenant: Any, body: dict[str, Any], field: str | None) -> None:
    product_id = tenant.api.post("/api/v1/products", {"name": "P", "unit_price": 100}).json["product_id"]
    body = {**body, "product_ids": [product_id if p == "p" else p for p in body["product_ids"]]}
    reply = tenant.api.post("/api/v1/buy-links", body)
    assert reply.status in (400, 404), reply.body
    if field:
        assert reply.error.get("field") == field, reply.body
    assert tenant.api.get("/api/v1/buy-links").json["items"] == []


def test_another_business_cannot_see_use_or_sell_through_a_link(tenant: Any, make_tenant: Any) -> None:
    made = digital_product(tenant)
    link = buy_link(tenant, made["product"]["product_id"])
    other = make_tenant()
    for method, path in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/pause"), ("POST", "/resume")):
        reply = other.api.call(method, f"/api/v1/buy-links/{link['link_id']}{path}", {} if method == "PATCH" else None)
        assert reply.status == 404, (method, path, reply.body)
    # Nor sell someone else's product.
    refused = other.api.post("/api/v1/buy-links", {"title": "Mine", "product_ids": [made["product"]["product_id"]]})
    assert refused.status == 404
    assert tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").json["paused"] is False


def test_the_page_shows_the_offer_without_javascript(tenant: Any, anonymous: Api) -> None:
    made = digital_product(tenant, price=4900)
    link = buy_link(tenant, made["product"]["product_id"], description="Logo, palette and type.", stock=3)
    page = anonymous.get(local_path(link["url"]))
    assert page.status == 200
    assert_client_headers(page)
    text = page.text
    for seen in ("The brand package", "Logo, palette and type.", "49.00", "Design package", "3 left", 'method="post"'):
        assert seen in text, seen
    assert "<script" not in text
    assert anonymous.get("/buy/" + "x" * 43).status == 404


def test_buying_makes_a_client_a_paid_invoice_and_emails_a_sign_in_link(
        tenant: Any, anonymous: Api, offline_webhook: list[int], stripe_worker: QueueWorker, outbox: Any) -> None:
    made = digital_product(tenant)
    link = buy_link(tenant, made["product"]["product_id"], stock=2)
    done = buy(anonymous, link["url"], "Buyer@Example.test")
    assert done.status == 303 and done.headers["Location"].endswith("?payment=success")
    assert stripe_worker.drain() == 1
    [client] = tenant.api.get("/api/v1/clients").json["items"]
    assert client["email"] == "buyer@example.test"
    [invoice] = tenant.api.get("/api/v1/invoices").json["items"]
    assert invoice["status"] == "paid" and invoice["total"] == 4900 and invoice["client_id"] == client["client_id"]
    [email] = outbox.to("buyer@example.test")
    assert "Your purchase" in email.subject and any("/signin/confirm/" in u for u in email.links)
    assert tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").json["stock"] == 1
    notes = tenant.api.get("/api/v1/notifications").json["items"]
    assert [n["title"] for n in notes] == [f"Sold through a buy link: invoice {invoice['number']} to buyer@example.test"]


def test_a_closed_offer_takes_no_checkout(tenant: Any, anonymous: Api, offline_webhook: list[int]) -> None:
    made = digital_product(tenant)
    link = buy_link(tenant, made["product"]["product_id"], stock=0)
    assert "Sold out" in anonymous.get(local_path(link["url"])).text
    refused = press_buy(anonymous, link["url"], "a@example.test", **{})
    assert refused.status == 409 and "Sold out" in refused.text
    too_few = buy_link(tenant, made["product"]["product_id"], stock=2, min_quantity=3, max_quantity=3)
    assert "Sold out" in anonymous.get(local_path(too_few["url"])).text  # 2 left, a purchase takes 3
    assert tenant.api.get(f"/api/v1/buy-links/{too_few['link_id']}").json["state"] == "sold_out"
    expired = buy_link(tenant, made["product"]["product_id"], expires_at="2020-01-01T00:00:00Z")
    assert "ended" in anonymous.get(local_path(expired["url"])).text
    assert press_buy(anonymous, expired["url"], "a@example.test").status == 409


def test_bad_buyer_input_is_refused(tenant: Any, anonymous: Api, offline_webhook: list[int]) -> None:
    made = digital_product(tenant)
    link = buy_link(tenant, made["product"]["product_id"], max_quantity=3, adjustable_quantity=True)
    assert press_buy(anonymous, link["url"], "not-an-email").status == 400
    assert press_buy(anonymous, link["url"], "a@example.test", quantity="9").status == 400
    assert press_buy(anonymous, link["url"], "a@example.test", quantity="two").status == 400
    foreign = anonymous.call("POST", local_path(link["url"]), "email=a%40example.test",
                             headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.test"})
    assert foreign.status == 403
    ok = press_buy(anonymous, link["url"], "a@example.test", quantity="3", **{})
    assert ok.status == 303
    as_json = anonymous.call("POST", local_path(link["url"]), "email=b%40example.test",
                             headers={"Content-Type": "application/x-www-form-urlencoded", **JSON})
    assert as_json.json["url"].startswith("http")


def test_with_stripe_the_checkout_session_holds_the_units_for_thirty_minutes(
        tenant: Any, anonymous: Api, stripe_api: Any) -> None:
    import time

    made = digital_product(tenant, price=1000, tax_rate_bp=2000)
    link = buy_link(tenant, made["product"]["product_id"], stock=4, max_quantity=3, adjustable_quantity=True,
                    allow_promotion_codes=True)
    pressed = press_buy(anonymous, link["url"], "s@example.test", quantity="3")
    assert pressed.status == 303 and pressed.headers["Location"].startswith("https://checkout.stripe.com/")
    [call] = [c for c in stripe_api.calls if c["url"].endswith("/v1/checkout/sessions")]
    params = call["params"]
    assert params["mode"] == ["payment"] and params["allow_promotion_codes"] == ["true"]
    assert params["line_items[0][quantity]"] == ["3"] and params["line_items[0][price_data][unit_amount]"] == ["1200"]
    assert params["metadata[link_id]"] == [link["link_id"]] and params["customer_email"] == ["s@example.test"]
    assert params["payment_intent_data[metadata][link_id]"] == [link["link_id"]]
    assert 29 * 60 <= int(params["expires_at"][0]) - time.time() <= 31 * 60
    assert tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").json["stock"] == 1


def test_the_page_is_a_handful_of_reads(tenant: Any, anonymous: Api, dynamodb_calls: list[str]) -> None:
    """Fast: token, link, business, products (one BatchGet), then per product its attachments and
    their resources; no writes, no Scan."""
    made = digital_product(tenant)
    link = buy_link(tenant, made["product"]["product_id"])
    dynamodb_calls.clear()
    assert anonymous.get(local_path(link["url"])).status == 200
    assert dynamodb_calls == ["GetItem", "GetItem", "GetItem", "BatchGetItem", "Query", "GetItem"], dynamodb_calls


def test_a_json_buyer_may_send_the_quantity_as_a_number(tenant: Any, anonymous: Api, offline_webhook: list[int]) -> None:
    """The page's form sends text; a JSON caller sends 2, as JSON says a number (it was refused with
    "Quantity must be text"). Out-of-range numbers are refused like out-of-range text."""
    import json

    made = digital_product(tenant)
    link = buy_link(tenant, made["product"]["product_id"], max_quantity=3, adjustable_quantity=True, stock=10)

    def send(quantity: Any) -> Any:
        return anonymous.call("POST", local_path(link["url"]), json.dumps({"email": "j@example.test", "quantity": quantity}),
                              headers={"Content-Type": "application/json", **JSON})

    assert send(2).status == 303
    assert tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").json["stock"] == 8
    for bad in (0, -1, 4, 2.5, True):
        reply = send(bad)
        assert reply.status == 400 and reply.error["field"] == "quantity", (bad, reply.body)
    assert tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").json["stock"] == 8


def test_a_buyer_who_presses_buy_again_goes_back_to_their_open_checkout(
        tenant: Any, anonymous: Api, offline_webhook: list[int], stripe_worker: QueueWorker) -> None:
    """With a limit per buyer, a second Buy by the same address (back button, another tab) while
    the first checkout is still open used to answer "You have already bought the most allowed" to
    someone who had bought nothing; it now leads back to that checkout, holding nothing more."""
    made = digital_product(tenant)
    link = buy_link(tenant, made["product"]["product_id"], stock=5, per_buyer_limit=1)
    first = press_buy(anonymous, link["url"], "Lee@Example.test")
    assert first.status == 303
    again = press_buy(anonymous, link["url"], "lee@example.test")
    assert again.status == 303 and again.headers["Location"] == first.headers["Location"]
    assert tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").json["stock"] == 4
    paid = anonymous.call("POST", local_path(again.headers["Location"]), "outcome=pay",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert paid.status == 303
    stripe_worker.drain()
    after = press_buy(anonymous, link["url"], "lee@example.test")
    assert after.status == 409 and "already bought" in after.text


def test_asking_more_than_is_left_says_how_many_are_left(tenant: Any, anonymous: Api, offline_webhook: list[int]) -> None:
    """Two left and the form allowed three: the buyer who asked for three was told "Sold out."
    with two on the shelf. The form's maximum is what is left, and more is refused in those words."""
    made = digital_product(tenant)
    link = buy_link(tenant, made["product"]["product_id"], stock=2, max_quantity=3, adjustable_quantity=True)
    assert 'max="2"' in anonymous.get(local_path(link["url"])).text
    refused = press_buy(anonymous, link["url"], "m@example.test", quantity="3")
    assert refused.status == 409 and "Only 2 left" in refused.text and "Sold out" not in refused.text
    assert press_buy(anonymous, link["url"], "m@example.test", quantity="2").status == 303
    assert "Sold out" in press_buy(anonymous, link["url"], "n@example.test", quantity="1").text
    limited = buy_link(tenant, made["product"]["product_id"], per_buyer_limit=2, max_quantity=5, adjustable_quantity=True)
    assert 'max="2"' in anonymous.get(local_path(limited["url"])).text


def test_a_business_not_taking_payments_shows_no_buy_form(tenant: Any, anonymous: Api) -> None:
    """The page offered the form and only the Buy click said the business takes no online payment."""
    made = digital_product(tenant)
    link = buy_link(tenant, made["product"]["product_id"])
    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": False}).status == 200
    page = anonymous.get(local_path(link["url"]))
    assert page.status == 200 and "does not take online payments" in page.text and 'data-testid="buy-form"' not in page.text
    assert anonymous.get(local_path(link["url"]), headers=JSON).json["state"] == "unavailable"
    assert press_buy(anonymous, link["url"], "o@example.test").status == 409
