"""Staff decisions outrank payment automation: a grant staff revoked, locked or released stays
so through every later payment event (Stripe inquiry, refund, dispute, manual payment) until
staff hand it back to the payment rule; each grant says who decided its state."""
from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.conftest import Api, QueueWorker, local_path
from tests.support.client_flows import attach
from tests.support.payments import (
    checkout_session,
    post_event,
    start_checkout,
    stripe_event,
    stripe_object,
)

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def _paid_with_a_gated_file(tenant: Any, anonymous: Api, worker: QueueWorker, pi: str) -> dict[str, Any]:
    """A 100.00 invoice paid through Stripe, its `after_payment` file now available."""
    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True}).status == 200
    doc = tenant.invoice(allow_partial=True)
    grant = attach(tenant, tenant.file(), "invoice", doc["id"], "after_payment")["grants"][0]
    page = local_path(tenant.share(doc["id"]))
    session_id = start_checkout(anonymous, {"page": page})
    post_event(anonymous, stripe_event("checkout.session.completed", checkout_session(tenant, doc, session_id, 10000, pi=pi)))
    worker.drain()
    return {"doc": doc, "grant": grant, "download": local_path(grant["download_url"]),
            "action": f"/api/v1/invoices/{doc['id']}/grants/{grant['grant_id']}"}


def _grant(tenant: Any, doc: dict[str, Any]) -> dict[str, Any]:
    [grant] = tenant.api.get(f"/api/v1/invoices/{doc['id']}/grants").json["items"]
    return grant  # type: ignore[no-any-return]


EVENTS = {
    "inquiry": lambda pi: ("charge.dispute.created", stripe_object(
        "charge.dispute.created", id=f"dp_{pi}", payment_intent=pi, status="warning_needs_response")),
    "partial refund": lambda pi: ("charge.refunded", stripe_object(
        "charge.refunded", id=f"ch_{pi}", payment_intent=pi, amount_refunded=100, refunded=False)),
    "won dispute": lambda pi: ("charge.dispute.closed", stripe_object(
        "charge.dispute.closed", id=f"dp_{pi}", payment_intent=pi, status="won")),
}


@pytest.mark.parametrize("action, state", [("revoke", "revoked"), ("lock", "locked")])
@pytest.mark.parametrize("event", sorted(EVENTS))
def test_a_staff_revoke_or_lock_survives_the_next_payment_event(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker, action: str, state: str,
        event: str) -> None:
    pi = f"pi_staff_{action}_{event.replace(' ', '_')}"
    paid = _paid_with_a_gated_file(tenant, anonymous, stripe_worker, pi)
    assert anonymous.get(paid["download"]).status == 302
    decided = tenant.api.post(f"{paid['action']}/{action}").json
    assert (decided["state"], decided["decided_by"]) == (state, "staff")
    kind, obj = EVENTS[event](pi)
    post_event(anonymous, stripe_event(kind, obj))
    stripe_worker.drain()
    grant = _grant(tenant, paid["doc"])
    assert (grant["state"], grant["decided_by"]) == (state, "staff")
    assert anonymous.get(paid["download"]).status == 403
    assert grant["history"][-1]["by"] == f"staff:{tenant.email}"


def test_a_staff_revoke_survives_a_manual_payment_that_completes_the_invoice(tenant: Any, anonymous: Api) -> None:
    doc = tenant.invoice(allow_partial=True)
    grant = attach(tenant, tenant.file(), "invoice", doc["id"], "after_payment")["grants"][0]
    base = f"/api/v1/invoices/{doc['id']}"
    assert tenant.api.post(f"{base}/payments", {"amount": 4000}).status == 201
    assert tenant.api.post(f"{base}/grants/{grant['grant_id']}/revoke").status == 200
    paid = tenant.api.post(f"{base}/payments", {})
    assert paid.status == 201 and paid.json["invoice"]["status"] == "paid"
    assert _grant(tenant, doc)["state"] == "revoked"
    assert anonymous.get(local_path(grant["download_url"])).status == 403


def test_staff_can_release_before_payment_and_hand_the_grant_back_to_the_payment_rule(
        tenant: Any, anonymous: Api) -> None:
    """A release before payment opens the file (the download no longer asks for payment); handing
    it back makes it follow the invoice again (locked while unpaid, open once paid)."""
    doc = tenant.invoice()
    grant = attach(tenant, tenant.file(), "invoice", doc["id"], "after_payment")["grants"][0]
    download, base = local_path(grant["download_url"]), f"/api/v1/invoices/{doc['id']}/grants/{grant['grant_id']}"
    assert _grant(tenant, doc)["decided_by"] == "payment"
    assert anonymous.get(download).status == 403
    assert tenant.api.post(f"{base}/release").json["state"] == "available"
    assert anonymous.get(download).status == 302
    handed = tenant.api.post(f"{base}/follow_payment").json
    assert (handed["state"], handed["decided_by"], handed["reason"]) == ("revoked", "payment", "follows_payment")
    assert anonymous.get(download).status == 403
    assert tenant.api.post(f"/api/v1/invoices/{doc['id']}/payments", {}).status == 201
    assert (_grant(tenant, doc)["state"], anonymous.get(download).status) == ("available", 302)


def test_follow_payment_is_only_for_files_offered_after_payment(tenant: Any) -> None:
    doc = tenant.invoice()
    grant = attach(tenant, tenant.file(), "invoice", doc["id"], "manual")["grants"][0]
    reply = tenant.api.post(f"/api/v1/invoices/{doc['id']}/grants/{grant['grant_id']}/follow_payment")
    assert reply.status == 409 and "after payment" in reply.error["message"]
    assert _grant(tenant, doc)["decided_by"] == "policy"
    everything = tenant.api.post(f"/api/v1/resources/{grant['resource_id']}/grants/follow_payment")
    assert everything.status == 404 and "release, lock or revoke" in everything.error["message"]


def test_a_staff_revoke_racing_a_payment_has_one_outcome_that_matches_the_answer(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker) -> None:
    """Staff revoke while the worker applies the payment: if staff were told "done", the grant is
    revoked whatever order the writes took; if told "changed at the same time", it follows payment."""
    from chalicelib.services.payments import stripe_events

    for attempt in range(4):
        assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True}).status == 200
        doc = tenant.invoice()
        grant = attach(tenant, tenant.file(), "invoice", doc["id"], "after_payment")["grants"][0]
        session_id = start_checkout(anonymous, {"page": local_path(tenant.share(doc["id"]))})
        session = checkout_session(tenant, doc, session_id, 10000, pi=f"pi_race_{attempt}")
        event = stripe_event("checkout.session.completed", session)
        replies: list[int] = []
        start = threading.Barrier(2)

        def pay(event: dict[str, Any] = event, start: threading.Barrier = start) -> None:
            start.wait()
            stripe_events.process(event)

        def revoke(doc: dict[str, Any] = doc, grant: dict[str, Any] = grant, start: threading.Barrier = start,
                   replies: list[int] = replies) -> None:
            start.wait()
            replies.append(tenant.api.post(f"/api/v1/invoices/{doc['id']}/grants/{grant['grant_id']}/revoke").status)

        threads = [threading.Thread(target=pay), threading.Thread(target=revoke)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        final = _grant(tenant, doc)
        assert replies[0] in (200, 409)
        expected = ("revoked", "staff") if replies[0] == 200 else ("available", "payment")
        assert (final["state"], final["decided_by"]) == expected
        assert anonymous.get(local_path(grant["download_url"])).status == (403 if replies[0] == 200 else 302)



def test_a_detached_grant_that_was_revoked_by_a_refund_stays_closed_when_the_invoice_is_paid_again(
        tenant: Any, anonymous: Api) -> None:
    from chalicelib.domain import invoices as rules
    from chalicelib.services.delivery.unlock import invoice_payment_changed
    from chalicelib.store import documents as docs

    invoice = tenant.invoice()
    rid = tenant.file()
    made = attach(tenant, rid, "invoice", invoice["id"], "after_payment")
    grant = made["grants"][0]
    assert tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {"amount": invoice["total"]}).status == 201
    # A refund (the Stripe worker will do this): the invoice is no longer paid in full.
    document, _ = docs.load_collection(tenant.business_id, invoice["id"])
    assert document is not None
    document.update(actions=[docs.Document.status.set(rules.PARTIAL)])
    invoice_payment_changed(tenant.business_id, invoice["id"])
    # Staff take the file off the invoice for good.
    assert tenant.api.delete(f"/api/v1/resources/{rid}/attachments/{made['attachment']['attachment_id']}").status == 200
    # The payment is made again: the detached grant must NOT re-open.
    document, _ = docs.load_collection(tenant.business_id, invoice["id"])
    assert document is not None
    document.update(actions=[docs.Document.status.set(rules.PAID)])
    invoice_payment_changed(tenant.business_id, invoice["id"])
    [after] = tenant.api.get(f"/api/v1/resources/{rid}/grants").json["items"]
    assert after["state"] == "revoked" and after["reason"] == "detached", after
    assert anonymous.get(local_path(grant["download_url"])).status == 403


def test_a_detached_grant_that_staff_had_revoked_cannot_be_released_again(tenant: Any, anonymous: Api) -> None:
    client_id = tenant.client_id()
    rid = tenant.file()
    made = attach(tenant, rid, "client", client_id, "visible")
    gid = made["grants"][0]["grant_id"]
    assert tenant.api.post(f"/api/v1/resources/{rid}/grants/{gid}/revoke").status == 200
    assert tenant.api.delete(f"/api/v1/resources/{rid}/attachments/{made['attachment']['attachment_id']}").status == 200
    released = tenant.api.post(f"/api/v1/resources/{rid}/grants/{gid}/release")
    assert released.status == 409, released.body
    assert anonymous.get(local_path(made["grants"][0]["download_url"])).status == 403
