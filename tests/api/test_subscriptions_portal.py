"""The portal's Subscriptions tab: a subscriber (signed in with the link emailed after checkout)
sees plan, status, next charge and period end, and can cancel at the period's end, resume, and
change plan between the business's plans of the same interval — each one Stripe call with
exactly these parameters and an idempotency key. Another client's subscription is a 404; a
removed contact loses access; forms from other sites are refused. Offline, the stand-in
completes a subscription checkout and answers changes with webhook events."""
from __future__ import annotations

import time
from typing import Any

import pytest

from tests.conftest import Api, QueueWorker, Tenant
from tests.support.client_flows import FORM, JSON, assert_client_headers, session_cookie, sign_in_link
from tests.support.payments import post_event
from tests.support.portal import client_with_contact, portal_link
from tests.support.subscriptions import (
    FakeStripeSubscriptions,
    checkout_session,
    invoice,
    selling_business,
    stripe_event,
    stripe_subs,  # noqa: F401 (fixture)
    subscription,
)

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def _buy(tenant: Tenant, anonymous: Api, worker: QueueWorker, fake: FakeStripeSubscriptions, plan: dict[str, Any],
         email: str) -> dict[str, Any]:
    """A recurring buy link's checkout completes: Stripe's three events through the webhook."""
    sub_id = f"sub_portal_{time.time_ns()}"
    t0 = int(time.time()) - 60
    sub = subscription(sub_id, tenant.business_id, plan, "active", t0)
    fake.subscriptions[sub_id] = sub
    for kind, obj, at in (("checkout.session.completed", checkout_session(f"cs_{sub_id}", tenant.business_id, sub_id,
                                                                          email, "Dee Buyer"), t0),
                          ("customer.subscription.created", sub, t0),
                          ("invoice.paid", invoice(f"in_{sub_id}", sub, email, "Dee Buyer", t0 + 1), t0 + 1)):
        assert post_event(anonymous, stripe_event(kind, obj, at)).status == 200
    worker.drain()
    return {"sub_id": sub_id, "sub": sub, "email": email, "checkout": checkout_session(
        f"cs_{sub_id}", tenant.business_id, sub_id, email, "Dee Buyer")}


def _mirror(sub_id: str) -> Any:
    from chalicelib.store.subscriptions import get_subscription

    mirror = get_subscription(sub_id)
    assert mirror is not None
    return mirror


def _link(tenant: Tenant, bought: dict[str, Any]) -> str:
    mirror = _mirror(bought["sub_id"])
    return portal_link(tenant, mirror.client_id, mirror.contact_id)


def _post(anonymous: Api, path: str, body: str = "", **headers: str) -> Any:
    return anonymous.call("POST", path, body, headers={**FORM, **headers})


def test_the_buyer_is_emailed_a_sign_in_link_and_sees_the_subscription(
        tenant: Tenant, anonymous: Api, stripe_worker: QueueWorker, stripe_subs: FakeStripeSubscriptions,  # noqa: F811
        outbox: Any) -> None:
    selling = selling_business(tenant)
    bought = _buy(tenant, anonymous, stripe_worker, stripe_subs, selling["plans"]["basic"], "dee@subs.test")
    # Stripe delivers the checkout again: no second email, no second client.
    assert post_event(anonymous, stripe_event("checkout.session.completed", bought["checkout"], 1)).status == 200
    stripe_worker.drain()
    [welcome] = outbox.to("dee@subs.test")
    assert welcome.subject == "Sign in to Test Business"
    done = anonymous.call("POST", sign_in_link(outbox, "dee@subs.test"), "")
    assert done.status == 303, done.body
    cookie = {"Cookie": session_cookie(done)}

    tab = anonymous.get("/portal/me?tab=subscriptions", headers={**JSON, **cookie}).json
    [shown] = tab["items"]
    end = time.strftime("%Y-%m-%d", time.gmtime(bought["sub"]["items"]["data"][0]["current_period_end"]))
    assert (shown["plan"], shown["status"], shown["current_period_end"]) == ("Basic", "active", end)
    assert shown["next_charge"] == {"amount": 900, "currency": "EUR", "display": shown["price"]["display"], "date": end}
    files = anonymous.get("/portal/me?tab=files", headers={**JSON, **cookie}).json["entries"]
    assert [(f["title"], bool(f["download_url"])) for f in files] == [("Members' handbook", True)]

    page = anonymous.get(f"/portal/me/subscriptions/{bought['sub_id']}", headers={**JSON, **cookie}).json
    assert [p["price_id"] for p in page["plans"]] == ["price_pro"]  # the yearly plan is another interval
    [paid] = page["invoices"]
    assert paid["number"].startswith("INV-") and paid["status"] == "paid" and paid["total"]["amount"] == 900
    html = anonymous.get(f"/portal/me/subscriptions/{bought['sub_id']}", headers=cookie)
    assert html.status == 200 and "Cancel at the end of this period" in html.text and paid["number"] in html.text
    assert_client_headers(html)
    assert "Basic" in anonymous.get("/portal/me?tab=subscriptions", headers=cookie).text


def test_cancel_resume_and_change_plan_call_stripe_with_exactly_these_parameters(
        tenant: Tenant, anonymous: Api, stripe_worker: QueueWorker, stripe_subs: FakeStripeSubscriptions) -> None:  # noqa: F811
    selling = selling_business(tenant)
    bought = _buy(tenant, anonymous, stripe_worker, stripe_subs, selling["plans"]["basic"], "eve@subs.test")
    stripe_subs.prices.update({p["id"]: p for p in selling["plans"].values()})
    page = f"{_link(tenant, bought)}/subscriptions/{bought['sub_id']}"
    path = f"/v1/subscriptions/{bought['sub_id']}"

    reply = _post(anonymous, f"{page}/cancel")
    assert reply.status == 303 and reply.headers["Location"].endswith("?notice=changed")
    [cancel] = stripe_subs.made("post", path)
    assert cancel["params"] == {"cancel_at_period_end": "true"} and cancel["headers"]["Idempotency-Key"]
    shown = anonymous.get(page, headers=JSON).json["subscription"]
    assert shown["cancel_at_period_end"] is True and shown["next_charge"] is None and shown["can_resume"] is True
    assert _post(anonymous, f"{page}/cancel").status == 409  # already ends: nothing sent
    assert len(stripe_subs.made("post", path)) == 1

    assert _post(anonymous, f"{page}/resume").status == 303
    assert stripe_subs.made("post", path)[-1]["params"] == {"cancel_at_period_end": "false"}
    assert anonymous.get(page, headers=JSON).json["subscription"]["cancel_at_period_end"] is False

    assert _post(anonymous, f"{page}/plan", "price_id=price_pro").status == 303
    change = stripe_subs.made("post", path)[-1]
    assert change["params"] == {"items[0][id]": f"si_{bought['sub_id']}", "items[0][price]": "price_pro",
                                "proration_behavior": "create_prorations"}
    keys = [c["headers"]["Idempotency-Key"] for c in stripe_subs.made("post", path)]
    assert len(set(keys)) == 3
    shown = anonymous.get(page, headers=JSON).json
    assert (shown["subscription"]["plan"], shown["subscription"]["price"]["amount"]) == ("Pro", 1900)
    assert [p["price_id"] for p in shown["plans"]] == ["price_basic"]

    before = len(stripe_subs.calls)
    assert _post(anonymous, f"{page}/plan", "price_id=price_annual").status == 404  # another interval
    assert _post(anonymous, f"{page}/plan", "price_id=price_nobody").status == 404
    assert _post(anonymous, f"{page}/plan", "price_id=not a price").status == 400
    assert _post(anonymous, f"{page}/cancel", **{"Sec-Fetch-Site": "cross-site"}).status == 403
    assert len(stripe_subs.calls) == before


def test_a_contact_sees_only_its_clients_subscriptions_and_a_removed_one_loses_access(
        tenant: Tenant, make_tenant: Any, anonymous: Api, stripe_worker: QueueWorker,
        stripe_subs: FakeStripeSubscriptions) -> None:  # noqa: F811
    selling = selling_business(tenant)
    bought = _buy(tenant, anonymous, stripe_worker, stripe_subs, selling["plans"]["basic"], "fay@subs.test")
    other_client, other_contact = client_with_contact(tenant, "Other Co", "other@subs.test")
    other = portal_link(tenant, other_client, other_contact)
    assert anonymous.get(f"{other}?tab=subscriptions", headers=JSON).json["items"] == []
    assert anonymous.get(f"{other}/subscriptions/{bought['sub_id']}", headers=JSON).status == 404
    assert _post(anonymous, f"{other}/subscriptions/{bought['sub_id']}/cancel").status == 404
    assert stripe_subs.made("post", f"/v1/subscriptions/{bought['sub_id']}") == []

    stranger = make_tenant("Stranger")
    assert stranger.api.get(f"/api/v1/subscriptions/{bought['sub_id']}").status == 404
    assert stranger.api.get("/api/v1/subscriptions").json["items"] == []

    mine = _link(tenant, bought)
    assert anonymous.get(f"{mine}/subscriptions/{bought['sub_id']}", headers=JSON).status == 200
    mirror = _mirror(bought["sub_id"])
    assert tenant.api.delete(f"/api/v1/clients/{mirror.client_id}/contacts/{mirror.contact_id}").status in (200, 204)
    assert anonymous.get(f"{mine}/subscriptions/{bought['sub_id']}", headers=JSON).status == 404
    assert _post(anonymous, f"{mine}/subscriptions/{bought['sub_id']}/cancel").status == 404


def test_staff_list_and_open_a_subscription_with_its_invoices_and_files(
        tenant: Tenant, anonymous: Api, stripe_worker: QueueWorker, stripe_subs: FakeStripeSubscriptions) -> None:  # noqa: F811
    selling = selling_business(tenant)
    bought = _buy(tenant, anonymous, stripe_worker, stripe_subs, selling["plans"]["basic"], "gil@subs.test")
    [listed] = tenant.api.get("/api/v1/subscriptions").json["items"]
    assert (listed["id"], listed["status"], listed["plan"], listed["link_id"]) == (bought["sub_id"], "active", "Basic",
                                                                                    "link_1")
    detail = tenant.api.get(f"/api/v1/subscriptions/{bought['sub_id']}").json
    [paid] = detail["invoices"]
    assert tenant.api.get(f"/api/v1/invoices/{paid['invoice_id']}").json["status"] == "paid"
    assert [(g["title"], g["state"]) for g in detail["grants"]] == [("Members' handbook", "available")]
    assert tenant.api.get("/api/v1/subscriptions/sub_unknown").status == 404


def test_offline_a_subscription_checkout_and_a_cancel_run_through_the_webhook(
        tenant: Tenant, anonymous: Api, stripe_worker: QueueWorker, stripe_secrets: Any, offline_webhook: list[int],
        outbox: Any) -> None:
    from chalicelib.services.subscriptions import offline

    selling = selling_business(tenant)
    sub_id = offline.complete_checkout("cs_offline_sub_1", tenant.business_id, "price_basic", "hal@subs.test", "Hal",
                                       "https://pay.example.test/webhooks/stripe", link_id="link_basic")
    assert offline_webhook == [200, 200, 200]
    stripe_worker.drain()
    mirror = _mirror(sub_id)
    assert (mirror.status, mirror.price_id, mirror.link_id) == ("active", "price_basic", "link_basic")
    assert len(outbox.to("hal@subs.test")) == 1
    page = f"{portal_link(tenant, mirror.client_id, mirror.contact_id)}/subscriptions/{sub_id}"
    view = anonymous.get(page, headers=JSON).json
    assert view["invoices"][0]["status"] == "paid" and view["subscription"]["status"] == "active"
    reply = _post(anonymous, f"{page}/cancel")
    assert reply.status == 303 and reply.headers["Location"].endswith("?notice=pending")
    stripe_worker.drain()
    assert anonymous.get(page, headers=JSON).json["subscription"]["cancel_at_period_end"] is True
    assert _post(anonymous, f"{page}/plan", "price_id=price_pro").status == 303
    stripe_worker.drain()
    assert anonymous.get(page, headers=JSON).json["subscription"]["plan"] == "Pro"
    del selling


def test_an_ended_subscription_says_so_when_cancelled_resumed_or_changed(
        tenant: Tenant, anonymous: Api, stripe_worker: QueueWorker, stripe_subs: FakeStripeSubscriptions) -> None:  # noqa: F811
    """Each action on a cancelled subscription is a 409 that says it has ended (resume used to say
    "not set to end, so there is nothing to resume"), and nothing goes to Stripe."""
    selling = selling_business(tenant)
    bought = _buy(tenant, anonymous, stripe_worker, stripe_subs, selling["plans"]["basic"], "ian@subs.test")
    stripe_subs.prices.update({p["id"]: p for p in selling["plans"].values()})
    ended = {**bought["sub"], "status": "canceled", "cancel_at_period_end": True}  # as Stripe leaves it
    assert post_event(anonymous, stripe_event("customer.subscription.deleted", ended, int(time.time()))).status == 200
    stripe_worker.drain()
    page = f"{_link(tenant, bought)}/subscriptions/{bought['sub_id']}"
    shown = anonymous.get(page)
    assert "cancelled" in shown.text and "ends on" not in shown.text  # it has ended, not "ends on" a date
    assert "Ends at period end" not in anonymous.get(f"{_link(tenant, bought)}?tab=subscriptions").text
    for action, form in (("cancel", ""), ("resume", ""), ("plan", "price_id=price_pro")):
        reply = _post(anonymous, f"{page}/{action}", form, **JSON)
        assert reply.status == 409 and "has ended" in reply.error["message"], (action, reply.body)
        html = _post(anonymous, f"{page}/{action}", form)
        assert html.status == 409 and "has ended" in html.text, action
    assert stripe_subs.made("post", f"/v1/subscriptions/{bought['sub_id']}") == []
