"""The portal's Payment methods tab: the client's cards as Stripe holds them, adding one through
Checkout in setup mode (Stripe's, or the offline one locally), removing one, choosing the
default; one Stripe Customer per client however many ask at once; "save this card" on Pay."""
from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.conftest import Api, QueueWorker, Tenant
from tests.support.cards import FakeStripeCards, stripe_cards  # noqa: F401 (fixture)
from tests.support.client_flows import FORM, JSON
from tests.support.events import event
from tests.support.payments import post_event
from tests.support.portal import client_with_contact, make_document, portal_link

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def _portal(tenant: Tenant) -> dict[str, Any]:
    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True}).status == 200
    client_id, contact_id = client_with_contact(tenant)
    return {"client_id": client_id, "contact_id": contact_id, "path": portal_link(tenant, client_id, contact_id)}


def _tab(anonymous: Api, portal: dict[str, Any]) -> Any:
    return anonymous.get(f"{portal['path']}?tab=payment-methods", headers=JSON)


def _post(anonymous: Api, path: str, body: str = "", **headers: str) -> Any:
    return anonymous.call("POST", path, body, headers={**FORM, **headers})


def _customer(tenant: Tenant, portal: dict[str, Any]) -> str:
    from chalicelib.services.payments import customers

    found = customers.existing_customer(tenant.business_id, portal["client_id"])
    assert found is not None
    return found


def test_adding_a_card_opens_checkout_in_setup_mode_for_the_clients_one_customer(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards) -> None:  # noqa: F811
    portal = _portal(tenant)
    assert _tab(anonymous, portal).json["cards"] == []
    assert stripe_cards.calls == []  # no customer yet: nothing to ask Stripe
    reply = _post(anonymous, f"{portal['path']}/payment-methods")
    assert reply.status == 303 and reply.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    [created] = stripe_cards.made("post", "/v1/customers")
    assert created["headers"]["Idempotency-Key"] == f"customer-{tenant.business_id}-{portal['client_id']}"
    assert created["params"] == {"name": "Portal Co", "email": "pat@portal.test",
                                 "metadata[business_id]": tenant.business_id, "metadata[client_id]": portal["client_id"]}
    [session] = stripe_cards.made("post", "/v1/checkout/sessions")
    page = f"https://pay.example.test{portal['path']}?tab=payment-methods"
    ids = {"business_id": tenant.business_id, "client_id": portal["client_id"], "purpose": "setup"}
    assert session["params"] == {
        "mode": "setup", "customer": _customer(tenant, portal), "payment_method_types[0]": "card",
        **{f"metadata[{k}]": v for k, v in ids.items()}, **{f"setup_intent_data[metadata][{k}]": v for k, v in ids.items()},
        "success_url": f"{page}&setup=success", "cancel_url": page,
    }
    # A second card: the same customer, no second creation.
    assert _post(anonymous, f"{portal['path']}/payment-methods").status == 303
    assert len(stripe_cards.made("post", "/v1/customers")) == 1


def test_a_completed_setup_becomes_the_default_card_and_the_tab_lists_it_from_stripe(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, stripe_worker: QueueWorker) -> None:  # noqa: F811
    portal = _portal(tenant)
    _post(anonymous, f"{portal['path']}/payment-methods")
    customer = _customer(tenant, portal)
    pm = stripe_cards.save_card(customer, "4242", default=False)  # Stripe attached it when the setup completed
    session = {**event("stripe/checkout.session.completed.setup")["data"]["object"], "id": "cs_test_1",
               "customer": customer, "metadata": {"business_id": tenant.business_id, "client_id": portal["client_id"],
                                                  "purpose": "setup"}}
    assert post_event(anonymous, {**event("stripe/checkout.session.completed.setup"), "data": {"object": session}}
                      ).status == 200
    stripe_worker.drain()
    [update] = stripe_cards.made("post", f"/v1/customers/{customer}")
    assert update["params"] == {"invoice_settings[default_payment_method]": pm}
    view = _tab(anonymous, portal).json
    assert view["cards"] == [{"id": pm, "brand": "visa", "last4": "4242", "expiry": "04/2031", "default": True}]
    html = anonymous.get(f"{portal['path']}?tab=payment-methods&setup=success").text
    assert "Visa</strong> ending 4242" in html and 'data-testid="default-card"' in html and "Card saved" in html
    assert "4242 4242" not in html  # never a card number: Stripe holds it


def test_a_setup_paydrop_did_not_start_saves_nothing(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, stripe_worker: QueueWorker) -> None:  # noqa: F811
    portal = _portal(tenant)
    _post(anonymous, f"{portal['path']}/payment-methods")
    customer = _customer(tenant, portal)
    stripe_cards.save_card(customer, default=False)
    forged = {**event("stripe/checkout.session.completed.setup")["data"]["object"], "id": "cs_test_forged",
              "customer": customer, "metadata": {"business_id": tenant.business_id, "client_id": portal["client_id"]}}
    post_event(anonymous, {**event("stripe/checkout.session.completed.setup"), "id": "evt_forged",
                           "data": {"object": forged}})
    stripe_worker.drain()
    assert stripe_cards.made("post", f"/v1/customers/{customer}") == []


def test_removing_and_choosing_the_default_act_only_on_the_clients_own_cards(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards) -> None:  # noqa: F811
    portal, other = _portal(tenant), _portal(tenant)
    for p in (portal, other):
        _post(anonymous, f"{p['path']}/payment-methods")
    first = stripe_cards.save_card(_customer(tenant, portal), "4242")
    second = stripe_cards.save_card(_customer(tenant, portal), "5556", default=False)
    theirs = stripe_cards.save_card(_customer(tenant, other), "1881")
    reply = _post(anonymous, f"{portal['path']}/payment-methods/{second}/default")
    assert reply.status == 303 and reply.headers["Location"].endswith("?tab=payment-methods")
    assert [c["id"] for c in _tab(anonymous, portal).json["cards"] if c["default"]] == [second]
    assert _post(anonymous, f"{portal['path']}/payment-methods/{first}/remove").status == 303
    assert [c["path"] for c in stripe_cards.made("post", f"/v1/payment_methods/{first}/detach")]
    assert [c["last4"] for c in _tab(anonymous, portal).json["cards"]] == ["5556"]
    # Another client's card, or one that does not exist: 404, nothing detached.
    for card in (theirs, "pm_unknown_1"):
        assert _post(anonymous, f"{portal['path']}/payment-methods/{card}/remove").status == 404
        assert _post(anonymous, f"{portal['path']}/payment-methods/{card}/default").status == 404
    assert stripe_cards.made("post", f"/v1/payment_methods/{theirs}/detach") == []


def test_forms_from_another_site_are_refused_and_card_changes_are_rate_limited(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, frozen_clock: None) -> None:  # noqa: F811
    portal = _portal(tenant)
    assert _post(anonymous, f"{portal['path']}/payment-methods", **{"Sec-Fetch-Site": "cross-site"}).status == 403
    statuses = [_post(anonymous, f"{portal['path']}/payment-methods").status for _ in range(11)]
    assert statuses[:10] == [303] * 10 and statuses[10] == 429


def test_a_removed_contact_no_longer_sees_or_changes_the_cards(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards) -> None:  # noqa: F811
    portal = _portal(tenant)
    _post(anonymous, f"{portal['path']}/payment-methods")
    pm = stripe_cards.save_card(_customer(tenant, portal))
    assert tenant.api.delete(f"/api/v1/clients/{portal['client_id']}/contacts/{portal['contact_id']}").status == 200
    assert _tab(anonymous, portal).status == 404
    assert _post(anonymous, f"{portal['path']}/payment-methods/{pm}/remove").status == 404
    assert stripe_cards.made("post", f"/v1/payment_methods/{pm}/detach") == []


def test_without_online_payment_the_tab_is_not_there(tenant: Tenant, anonymous: Api,
                                                      stripe_cards: FakeStripeCards) -> None:  # noqa: F811
    portal = _portal(tenant)
    assert "payment-methods" in _tab(anonymous, portal).json["tabs"]
    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": False}).status == 200
    assert _tab(anonymous, portal).status == 404
    assert _post(anonymous, f"{portal['path']}/payment-methods").status == 404


def test_two_creations_at_once_make_one_customer(tenant: Tenant, stripe_cards: FakeStripeCards) -> None:  # noqa: F811
    from chalicelib.services.payments import customers

    portal = _portal(tenant)
    found: list[str] = []
    threads = [threading.Thread(target=lambda: found.append(customers.customer_for(tenant.business_id,
                                                                                   portal["client_id"])))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(found) == 4 and len(set(found)) == 1 and found[0] == _customer(tenant, portal)
    assert len(stripe_cards.customers) == 1  # every request carried the client's key: Stripe made one


def test_save_this_card_on_pay_passes_the_customer_and_setup_future_usage(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards) -> None:  # noqa: F811
    portal = _portal(tenant)
    doc = make_document(tenant, portal["client_id"])
    assert _post(anonymous, f"{portal['path']}/invoices/{doc['id']}/pay", "save_card=on").status == 303
    [session] = stripe_cards.made("post", "/v1/checkout/sessions")
    assert session["params"]["customer"] == _customer(tenant, portal)
    assert session["params"]["payment_intent_data[setup_future_usage]"] == "off_session"
    assert "customer_email" not in session["params"]
    assert _post(anonymous, f"{portal['path']}/invoices/{doc['id']}/pay", "save_card=maybe").status == 400


def test_offline_setup_checkout_saves_a_test_card_through_the_webhook(
        tenant: Tenant, anonymous: Api, offline_webhook: list[int], stripe_worker: QueueWorker) -> None:
    portal = _portal(tenant)
    reply = _post(anonymous, f"{portal['path']}/payment-methods")
    assert reply.status == 303 and "/checkout/offline-cards/cs_offsetup_" in reply.headers["Location"]
    page = reply.headers["Location"].replace("https://pay.example.test", "")
    assert "Save a card" in anonymous.get(page).text
    assert _post(anonymous, page, "card=9999").status == 400  # only Stripe's test cards
    done = _post(anonymous, page, "card=4242")
    assert done.status == 303 and done.headers["Location"].endswith("?tab=payment-methods&setup=success")
    assert offline_webhook == [200]
    stripe_worker.drain()
    [card] = _tab(anonymous, portal).json["cards"]
    assert (card["brand"], card["last4"], card["default"]) == ("visa", "4242", True)
    assert _post(anonymous, page, "card=4242").status == 409  # a finished checkout stays finished


def test_removing_the_default_card_makes_another_saved_card_the_default(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards) -> None:  # noqa: F811
    """Stripe clears the default when that card is detached; auto-charge charges the default, so a
    client with cards left would be told "no saved card": the next one becomes the default."""
    portal = _portal(tenant)
    _post(anonymous, f"{portal['path']}/payment-methods")
    first = stripe_cards.save_card(_customer(tenant, portal), "4242")
    second = stripe_cards.save_card(_customer(tenant, portal), "5556", default=False)
    assert _post(anonymous, f"{portal['path']}/payment-methods/{first}/remove").status == 303
    assert [(c["id"], c["default"]) for c in _tab(anonymous, portal).json["cards"]] == [(second, True)]
    assert _post(anonymous, f"{portal['path']}/payment-methods/{second}/remove").status == 303
    assert _tab(anonymous, portal).json["cards"] == []
