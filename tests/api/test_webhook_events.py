"""Events are emitted where they happen: an integration subscribed to everything hears a paid
invoice, the file it released, a download, a staff revoke and a new message, each once."""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Api, Tenant, local_path
from tests.support.payments import checkout_session, post_event, start_checkout, stripe_event
from tests.support.subscriptions import stripe_subs  # noqa: F401 (fixture)
from tests.support.webhooks import Receiver

EVERYTHING = ["invoice.sent", "invoice.paid", "payment.refunded", "grant.released", "grant.revoked",
              "resource.downloaded", "quote.approved", "subscription.updated", "message.created"]


def heard(receiver: Receiver, worker: Any) -> list[tuple[str, dict[str, Any]]]:
    worker.drain()
    return [(e["type"], e["data"]) for e in (json.loads(r.body) for r in receiver.received)]


def test_paying_releasing_downloading_revoking_and_messaging_are_each_heard_once(
        tenant: Tenant, receiver: Receiver, webhooks_worker: Any, anonymous: Api) -> None:
    assert tenant.api.post("/api/v1/webhook-endpoints", {"url": receiver.url, "events": EVERYTHING}).status == 201
    invoice = tenant.invoice(lines=[{"description": "Course", "unit_price": 10000}])
    grant = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/resources",
                            {"resource_id": tenant.file(), "policy": "after_payment"}).json
    assert [t for t, _ in heard(receiver, webhooks_worker)] == ["invoice.sent"]

    receiver.received.clear()
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {})
    events = heard(receiver, webhooks_worker)
    assert sorted(t for t, _ in events) == ["grant.released", "invoice.paid"]
    paid = dict(events)["invoice.paid"]
    assert paid["id"] == invoice["id"] and paid["status"] == "paid" and paid["amount_paid"] == 10000
    assert dict(events)["grant.released"]["id"] == grant["grant_id"]

    receiver.received.clear()
    assert anonymous.get(local_path(grant["download_url"])).status == 302
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/grants/{grant['grant_id']}/revoke")
    events = heard(receiver, webhooks_worker)
    assert [t for t, _ in events] == ["resource.downloaded", "grant.revoked"]
    assert events[0][1]["id"] == grant["grant_id"] and events[0][1]["by"] == "link"
    assert events[1][1]["state"] == "revoked"

    receiver.received.clear()
    client_id = invoice["client_id"]
    assert tenant.api.post("/api/v1/conversations", {"client_id": client_id, "text": "Files are ready."}).status < 300
    [(kind, data)] = heard(receiver, webhooks_worker)
    assert kind == "message.created" and data["text"] == "Files are ready." and data["side"] == "staff"


@pytest.mark.usefixtures("one_test_per_ip")
def test_a_stripe_payment_and_its_refund_are_heard(
        tenant: Tenant, anonymous: Api, stripe_secrets: Any, stripe_worker: Any, receiver: Receiver,
        webhooks_worker: Any) -> None:
    tenant.api.patch("/api/v1/business", {"stripe_enabled": True})
    tenant.api.post("/api/v1/webhook-endpoints", {"url": receiver.url, "events": ["invoice.paid", "payment.refunded"]})
    doc = tenant.invoice()
    session_id = start_checkout(anonymous, {"page": local_path(tenant.share(doc["id"]))})
    pi = f"pi_{doc['id']}"
    post_event(anonymous, stripe_event("checkout.session.completed", checkout_session(tenant, doc, session_id, 10000, pi=pi)))
    post_event(anonymous, stripe_event("charge.refunded", {"id": f"ch_{doc['id']}", "payment_intent": pi,
                                                           "amount_refunded": 4000}))
    stripe_worker.drain()
    events = heard(receiver, webhooks_worker)
    assert [t for t, _ in events] == ["invoice.paid", "payment.refunded"]
    refund = events[1][1]
    assert (refund["invoice_id"], refund["amount_refunded"], refund["currency"]) == (doc["id"], 4000, "EUR")
    assert refund["invoice"]["amount_refunded"] == 4000


def test_a_client_approving_a_quote_is_heard_with_the_invoice_it_became(
        tenant: Tenant, anonymous: Api, receiver: Receiver, webhooks_worker: Any) -> None:
    from tests.support.client_flows import FORM
    from tests.support.portal import client_with_contact, make_document, portal_link

    tenant.api.post("/api/v1/webhook-endpoints", {"url": receiver.url, "events": ["quote.approved", "invoice.sent"]})
    client_id, contact_id = client_with_contact(tenant)
    quote = make_document(tenant, client_id, kind="quote", amount=25000)
    page = f"{portal_link(tenant, client_id, contact_id)}/quotes/{quote['id']}"
    assert anonymous.call("POST", f"{page}/approve", "name=Pat+Doe", headers=FORM).status == 303
    events = dict(heard(receiver, webhooks_worker))
    approved = events["quote.approved"]
    assert approved["id"] == quote["id"] and approved["status"] == "accepted" and approved["total"] == 25000
    assert approved["invoice_id"] and events["invoice.sent"]["id"] == approved["invoice_id"]


@pytest.mark.usefixtures("one_test_per_ip")
def test_a_subscription_that_starts_changes_and_ends_is_heard_as_subscription_updated(
        tenant: Tenant, anonymous: Api, stripe_worker: Any, stripe_subs: Any, receiver: Receiver,  # noqa: F811
        webhooks_worker: Any) -> None:
    """subscription.updated was offered to endpoints but never emitted: a stored newer state (a
    Stripe event, or the subscriber's own change in the portal) is heard once; a stale or repeated
    event is not heard again."""
    import time

    from tests.api.test_subscriptions_portal import _buy, _link, _post
    from tests.support.subscriptions import selling_business
    from tests.support.subscriptions import stripe_event as sub_event

    assert tenant.api.post("/api/v1/webhook-endpoints",
                           {"url": receiver.url, "events": ["subscription.updated"]}).status == 201
    selling = selling_business(tenant)
    bought = _buy(tenant, anonymous, stripe_worker, stripe_subs, selling["plans"]["basic"], "kim@subs.test")
    [(kind, started)] = heard(receiver, webhooks_worker)
    assert kind == "subscription.updated" and started["id"] == bought["sub_id"]
    assert (started["status"], started["plan"], started["price_id"]) == ("active", "Basic", "price_basic")

    receiver.received.clear()
    page = f"{_link(tenant, bought)}/subscriptions/{bought['sub_id']}"
    assert _post(anonymous, f"{page}/cancel").status == 303
    [(kind, cancelling)] = heard(receiver, webhooks_worker)
    assert cancelling["cancel_at_period_end"] is True and cancelling["client_id"]

    receiver.received.clear()
    stale = sub_event("customer.subscription.updated", bought["sub"], int(time.time()) - 3600)
    assert post_event(anonymous, stale).status == 200
    stripe_worker.drain()
    assert heard(receiver, webhooks_worker) == []
    ended = {**bought["sub"], "status": "canceled"}
    assert post_event(anonymous, sub_event("customer.subscription.deleted", ended, int(time.time()) + 5)).status == 200
    stripe_worker.drain()
    assert [(t, d["status"]) for t, d in heard(receiver, webhooks_worker)] == [("subscription.updated", "canceled")]
