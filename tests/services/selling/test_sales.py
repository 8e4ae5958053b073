"""Selling through a buy link, at the service level: stock never oversold under a race, the
buyer's limit, expiry and pause, abandoned checkouts, repeat buyers, repeated webhooks."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.domain.buy_link_inputs import BuyInput
from chalicelib.domain.errors import Conflict
from chalicelib.services.payments import stripe_events
from chalicelib.services.selling import offline, purchase
from chalicelib.store import buy_links as store
from tests.support.buy_links import buy_link, digital_product
from tests.support.payments import stripe_event

PAGE, BASE = "http://localhost/buy/x", "http://localhost"


def _token(link: dict[str, Any]) -> str:
    return str(link["url"].rsplit("/", 1)[1])


def _start(link: dict[str, Any], email: str, quantity: int | None = None) -> str:
    data = BuyInput(email=email, quantity=str(quantity) if quantity else None)
    return purchase.start_purchase(_token(link), data, None, PAGE, BASE)


def _session_id(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _finish(url: str, paid: bool = True, event_id: str | None = None) -> str:
    """What Stripe's webhook brings the worker for this checkout: paid (completed) or abandoned (expired)."""
    found = offline.open_checkout(_session_id(url))
    kind = "checkout.session.completed" if paid else "checkout.session.expired"
    return stripe_events.process(stripe_event(kind, offline.session_object(found, paid), event_id))


def _race(n: int, action: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = action(i)
        except Exception as e:
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _stock(tenant: Any, link: dict[str, Any]) -> int:
    return int(tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").json["stock"])


def _invoices(tenant: Any) -> list[dict[str, Any]]:
    return tenant.api.get("/api/v1/invoices").json["items"]  # type: ignore[no-any-return]


@pytest.fixture
def product(tenant: Any) -> dict[str, Any]:
    return digital_product(tenant)


def test_twenty_buyers_for_five_units_get_exactly_five_checkouts(tenant: Any, product: dict[str, Any]) -> None:
    link = buy_link(tenant, product["product"]["product_id"], stock=5)
    results = _race(20, lambda i: _start(link, f"buyer{i}@example.test"))
    checkouts = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(checkouts) == 5 and len(refused) == 15, results
    assert all("Sold out" in str(r) for r in refused)
    assert _stock(tenant, link) == 0
    # All five pay: five paid invoices; the fifteen were never sent to a checkout, so never charged.
    outcomes = _race(5, lambda i: _finish(checkouts[i]))
    assert outcomes == ["sale_recorded"] * 5
    invoices = _invoices(tenant)
    assert len(invoices) == 5 and {i["status"] for i in invoices} == {"paid"}
    assert len({i["number"] for i in invoices}) == 5
    assert tenant.api.get(f"/api/v1/buy-links/{link['link_id']}").json["sold"] == 5


def test_an_abandoned_checkout_creates_nothing_and_gives_its_units_back(tenant: Any, product: dict[str, Any]) -> None:
    link = buy_link(tenant, product["product"]["product_id"], stock=1)
    url = _start(link, "gone@example.test")
    assert _stock(tenant, link) == 0
    with pytest.raises(Conflict):
        _start(link, "second@example.test")
    assert _finish(url, paid=False) == "units_released"
    assert _finish(url, paid=False, event_id="evt_again") == "already_ended"  # Stripe repeats itself
    assert _stock(tenant, link) == 1
    assert tenant.api.get("/api/v1/clients").json["items"] == [] and _invoices(tenant) == []
    assert _start(link, "second@example.test")  # the unit is for sale again


def test_the_per_buyer_limit_counts_every_purchase_by_email(tenant: Any, product: dict[str, Any]) -> None:
    link = buy_link(tenant, product["product"]["product_id"], per_buyer_limit=2, max_quantity=2,
                    adjustable_quantity=True)
    _finish(_start(link, "ann@example.test"))
    with pytest.raises(Conflict, match="at most 2 of this; 1 more"):
        _start(link, "ann@example.test", quantity=2)
    open_checkout = _start(link, "ANN@example.test")  # the same address, however written
    # Her open checkout counts too: pressing Buy again leads back to it, holding nothing more.
    assert _start(link, "ann@example.test") == open_checkout
    with pytest.raises(Conflict, match="most allowed"):
        _start(link, "ann@example.test", quantity=2)
    assert _start(link, "bob@example.test", quantity=2)  # someone else is not limited by Ann
    generous = buy_link(tenant, product["product"]["product_id"], per_buyer_limit=2, max_quantity=5,
                        adjustable_quantity=True)
    with pytest.raises(Conflict, match="at most 2"):
        _start(generous, "carl@example.test", quantity=3)  # a first purchase above the limit


def test_two_tabs_racing_past_the_buyer_limit_get_one_checkout(tenant: Any, product: dict[str, Any]) -> None:
    link = buy_link(tenant, product["product"]["product_id"], per_buyer_limit=1, stock=10)
    results = _race(6, lambda i: _start(link, "tabs@example.test"))
    # One checkout: tabs that lost the race are refused, or sent back to it once it exists.
    assert len({r for r in results if isinstance(r, str)}) == 1, results
    assert _stock(tenant, link) == 9


def test_an_expired_or_paused_link_sells_nothing(tenant: Any, product: dict[str, Any]) -> None:
    pid = product["product"]["product_id"]
    expired = buy_link(tenant, pid, expires_at="2020-01-01T00:00:00Z", stock=3)
    with pytest.raises(Conflict, match="ended"):
        _start(expired, "a@example.test")
    paused = buy_link(tenant, pid, stock=3)
    tenant.api.post(f"/api/v1/buy-links/{paused['link_id']}/pause")
    with pytest.raises(Conflict, match="paused"):
        _start(paused, "a@example.test")
    assert _stock(tenant, expired) == 3 and _stock(tenant, paused) == 3
    tenant.api.post(f"/api/v1/buy-links/{paused['link_id']}/resume")
    assert _start(paused, "a@example.test")


def test_a_second_purchase_by_the_same_email_lands_in_the_same_client(tenant: Any, product: dict[str, Any]) -> None:
    link = buy_link(tenant, product["product"]["product_id"])
    _finish(_start(link, "repeat@example.test"))
    _finish(_start(link, "Repeat@Example.test"))
    [client] = tenant.api.get("/api/v1/clients").json["items"]
    invoices = _invoices(tenant)
    assert len(invoices) == 2 and {i["client_id"] for i in invoices} == {client["client_id"]}
    contacts = tenant.api.get(f"/api/v1/clients/{client['client_id']}").json["contacts"]
    assert [c["email"] for c in contacts] == ["repeat@example.test"]


def test_an_existing_contact_who_buys_is_not_duplicated(tenant: Any, product: dict[str, Any]) -> None:
    client_id = tenant.client_id()  # Ada, ada@acme.test
    link = buy_link(tenant, product["product"]["product_id"])
    _finish(_start(link, "ada@acme.test"))
    [invoice] = _invoices(tenant)
    assert invoice["client_id"] == client_id and len(tenant.api.get("/api/v1/clients").json["items"]) == 1


def test_a_repeated_or_concurrent_webhook_records_one_invoice(tenant: Any, product: dict[str, Any]) -> None:
    link = buy_link(tenant, product["product"]["product_id"])
    url = _start(link, "dup@example.test")
    assert _finish(url, event_id="evt_dup_1") == "sale_recorded"
    assert _finish(url, event_id="evt_dup_1") == "duplicate"
    # The same fact under other event ids (Stripe's async_payment_succeeded, a replay), at once.
    outcomes = _race(4, lambda i: _finish(url, event_id=f"evt_dup_other_{i}"))
    assert all(o == "sale_recorded" for o in outcomes), outcomes
    [invoice] = _invoices(tenant)
    assert invoice["status"] == "paid" and invoice["amount_paid"] == 4900
    assert len(tenant.api.get("/api/v1/clients").json["items"]) == 1


def test_the_paid_invoice_opens_the_products_file(tenant: Any, product: dict[str, Any]) -> None:
    link = buy_link(tenant, product["product"]["product_id"], max_quantity=3, adjustable_quantity=True)
    _finish(_start(link, "files@example.test", quantity=3))
    [invoice] = _invoices(tenant)
    full = tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json
    assert full["total"] == 3 * 4900 and full["lines"][0]["quantity"] in ("3", 3)
    grants = tenant.api.get(f"/api/v1/resources/{product['resource_id']}/grants").json["items"]
    assert [g["state"] for g in grants] == ["available"]


def test_the_checkout_session_asks_stripe_for_what_the_link_says(tenant: Any, product: dict[str, Any]) -> None:
    """Stripe's parameters: one-off with promotion codes, and a subscription (for the subs part)."""
    link = buy_link(tenant, product["product"]["product_id"], allow_promotion_codes=True)
    offer = purchase.open_offer(_token(link))
    lines = purchase.lines_for(offer.products, 1)
    params = purchase.checkout_params(offer, "p@example.test", 1, lines, PAGE, 1_900_000_000, "h1")
    assert params["mode"] == "payment" and params["allow_promotion_codes"] is True
    assert params["expires_at"] == 1_900_000_000 and params["metadata"]["link_id"] == link["link_id"]  # type: ignore[index]
    monthly = buy_link(tenant, product["product"]["product_id"], mode="subscription", interval="month")
    offer = purchase.open_offer(_token(monthly))
    params = purchase.checkout_params(offer, "p@example.test", 1, lines, PAGE, 1_900_000_000, "h1")
    assert params["mode"] == "subscription" and "payment_intent_data" not in params
    # The link's own recurring price (services/selling/recurring.py), not an inline price_data.
    assert params["line_items"] == [{"price": f"price_offline_{monthly['link_id']}_1", "quantity": 1}]
    assert params["subscription_data"] == {"metadata": {**params["metadata"],  # type: ignore[dict-item]
                                                        "product_ids": product["product"]["product_id"]}}


def test_reservations_are_stored_for_the_session(tenant: Any, product: dict[str, Any]) -> None:
    link = buy_link(tenant, product["product"]["product_id"], stock=2)
    url = _start(link, "r@example.test")
    [reservation] = store.open_reservations(tenant.business_id, link["link_id"])
    assert reservation.session_id == _session_id(url) and int(reservation.quantity) == 1


def test_a_promotion_code_discount_is_a_line_and_the_invoice_is_paid(tenant: Any, product: dict[str, Any]) -> None:
    link = buy_link(tenant, product["product"]["product_id"], allow_promotion_codes=True)
    found = offline.open_checkout(_session_id(_start(link, "promo@example.test")))
    session = {**offline.session_object(found, True), "amount_total": 3900}  # 10.00 off at Stripe's checkout
    assert stripe_events.process(stripe_event("checkout.session.completed", session)) == "sale_recorded"
    [invoice] = _invoices(tenant)
    full = tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json
    assert full["status"] == "paid" and full["total"] == 3900
    assert [line["description"] for line in full["lines"]] == ["Brand design package", "Promotion code"]
    grants = tenant.api.get(f"/api/v1/resources/{product['resource_id']}/grants").json["items"]
    assert [g["state"] for g in grants] == ["available"]


def test_the_hourly_sweep_gives_back_units_no_checkout_gave_back(tenant: Any, product: dict[str, Any]) -> None:
    from datetime import timedelta

    from chalicelib import clock
    from chalicelib.services.selling import holds

    link = buy_link(tenant, product["product"]["product_id"], stock=2, per_buyer_limit=1)
    url = _start(link, "closed.tab@example.test")  # the buyer closes the tab: no event ever comes
    assert _stock(tenant, link) == 1
    assert holds.release_lapsed(clock.now())["released"] == 0  # still in its 30 minutes (and the hour's grace)
    later = clock.now() + timedelta(minutes=95)
    assert holds.release_lapsed(later)["released"] >= 1  # (other tests' holds are on the same agenda)
    assert store.open_reservations(tenant.business_id, link["link_id"]) == []
    assert holds.release_lapsed(later) == {"checked": 0, "released": 0}  # off the agenda
    assert _stock(tenant, link) == 2 and _start(link, "closed.tab@example.test")  # units and the buyer's room back
    assert _finish(url, paid=False) == "already_ended"  # a late expiry gives nothing back twice
    assert _stock(tenant, link) == 1


def test_a_checkout_stripe_refuses_gives_the_units_back_at_once(tenant: Any, product: dict[str, Any],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.domain.errors import Unavailable
    from chalicelib.services.payments import stripe_gateway

    link = buy_link(tenant, product["product"]["product_id"], stock=1)

    def refuse(*_: Any) -> Any:
        raise Unavailable("Stripe is down.")

    monkeypatch.setattr(stripe_gateway, "configured", lambda: True)
    monkeypatch.setattr(stripe_gateway, "create_checkout_session", refuse)
    with pytest.raises(Unavailable):
        _start(link, "x@example.test")
    assert _stock(tenant, link) == 1 and store.open_reservations(tenant.business_id, link["link_id"]) == []


def test_a_subscription_checkout_is_left_to_the_subscriptions_part(tenant: Any, product: dict[str, Any]) -> None:
    """This part opens the recurring checkout (units held like any other); what its completion
    does belongs to subscriptions: nothing here records a one-off sale for it."""
    link = buy_link(tenant, product["product"]["product_id"], mode="subscription", interval="month", stock=3)
    url = _start(link, "monthly@example.test")
    found = offline.open_checkout(_session_id(url))
    session = offline.session_object(found, True)
    assert session["mode"] == "subscription" and session["subscription"] and session["payment_intent"] is None
    assert session["metadata"]["link_id"] == link["link_id"] and session["metadata"]["hold_id"] == found.reservation.hold_id
    assert _stock(tenant, link) == 2
    assert _finish(url, paid=False) == "units_released" and _stock(tenant, link) == 3  # expiry: either mode


def test_a_code_that_takes_everything_off_still_sells(tenant: Any, product: dict[str, Any]) -> None:
    link = buy_link(tenant, product["product"]["product_id"], allow_promotion_codes=True)
    found = offline.open_checkout(_session_id(_start(link, "free@example.test")))
    session = {**offline.session_object(found, True), "amount_total": 0, "payment_status": "no_payment_required",
               "payment_intent": None}
    assert stripe_events.process(stripe_event("checkout.session.completed", session)) == "sale_recorded"
    [invoice] = _invoices(tenant)
    assert invoice["status"] == "paid" and invoice["total"] == 0
    grants = tenant.api.get(f"/api/v1/resources/{product['resource_id']}/grants").json["items"]
    assert [g["state"] for g in grants] == ["available"]


def test_a_delayed_payment_keeps_its_units_until_the_bank_answers(tenant: Any, product: dict[str, Any]) -> None:
    """A checkout completed with a bank debit still to clear (payment_status "unpaid") used to stay
    on the hourly sweep's agenda: 90 minutes later its units went back on sale (and the buyer's
    room), so the payment that cleared days later sold a unit twice."""
    from datetime import timedelta

    from chalicelib import clock
    from chalicelib.services.selling import holds

    link = buy_link(tenant, product["product"]["product_id"], stock=1, per_buyer_limit=1)
    found = offline.open_checkout(_session_id(_start(link, "sepa@example.test")))
    pending = {**offline.session_object(found, True), "payment_status": "unpaid"}
    assert stripe_events.process(stripe_event("checkout.session.completed", pending)) == "awaiting_async_payment"
    holds.release_lapsed(clock.now() + timedelta(hours=3))
    holds.release_lapsed(clock.now() + timedelta(days=2))
    assert _stock(tenant, link) == 0
    with pytest.raises(Conflict, match="Sold out"):
        _start(link, "other@example.test")
    cleared = {**pending, "payment_status": "paid"}
    assert stripe_events.process(stripe_event("checkout.session.async_payment_succeeded", cleared)) == "sale_recorded"
    assert _stock(tenant, link) == 0 and len(_invoices(tenant)) == 1


def test_a_delayed_payment_that_fails_gives_its_units_back(tenant: Any, product: dict[str, Any]) -> None:
    link = buy_link(tenant, product["product"]["product_id"], stock=1)
    found = offline.open_checkout(_session_id(_start(link, "bounced@example.test")))
    pending = {**offline.session_object(found, True), "payment_status": "unpaid"}
    stripe_events.process(stripe_event("checkout.session.completed", pending))
    assert stripe_events.process(stripe_event("checkout.session.async_payment_failed", pending)) == "units_released"
    assert _stock(tenant, link) == 1 and _invoices(tenant) == []
