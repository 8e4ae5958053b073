"""Online payment: the Pay button and Checkout Session, the Stripe webhook (verified, queued),
the payments worker (idempotent, order-independent), refunds, disputes, the offline checkout."""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest

from tests.conftest import Api, QueueWorker, local_path
from tests.support.client_flows import FORM, JSON, attach
from tests.support.payments import (
    FakeStripeHttp,
    checkout_session,
    grant_state_of,
    invoice_of,
    payable_invoice,
    post_event,
    press_pay,
    signed_payload,
    start_checkout,
    stripe_event,
)

pytestmark = pytest.mark.usefixtures("one_test_per_ip")































# --- paying ---------------------------------------------------------------------------


def test_pay_creates_a_checkout_session_with_exactly_these_parameters(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp) -> None:
    payable = payable_invoice(tenant)
    reply = press_pay(anonymous, payable["page"])
    assert reply.status == 303 and reply.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    [call] = stripe_api.calls
    params = {k: v[0] for k, v in call["params"].items()}
    doc = payable["doc"]
    page = "https://pay.example.test" + payable["page"]
    assert call["url"] == "https://api.stripe.com/v1/checkout/sessions" and call["method"] == "post"
    assert params == {
        "mode": "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][unit_amount]": "10000",
        "line_items[0][price_data][product_data][name]": f"Invoice {doc['number']}",
        "line_items[0][price_data][product_data][description]": "Test Business",
        "client_reference_id": doc["id"],
        "metadata[business_id]": tenant.business_id, "metadata[doc_id]": doc["id"], "metadata[amount]": "10000",
        "payment_intent_data[metadata][business_id]": tenant.business_id,
        "payment_intent_data[metadata][doc_id]": doc["id"], "payment_intent_data[metadata][amount]": "10000",
        "payment_intent_data[description]": f"Invoice {doc['number']} — Test Business",
        "success_url": f"{page}?payment=success", "cancel_url": f"{page}?payment=cancelled",
        "customer_email": "ada@acme.test",
    }
    assert call["headers"]["Idempotency-Key"].startswith("checkout-")
    assert call["headers"]["Authorization"] == "Bearer sk_test_paydrop"
    # A second click for the same amount is the same attempt: the same idempotency key.
    press_pay(anonymous, payable["page"])
    assert stripe_api.calls[1]["headers"]["Idempotency-Key"] == call["headers"]["Idempotency-Key"]


@pytest.mark.parametrize("setup, body, status, field", [
    ("draft", "", 404, None),  # a draft has no share link at all
    ("paid", "", 409, None),
    ("cancelled", "", 409, None),
    ("full_only", "amount_text=40.00", 400, "amount"),
    ("partial", "amount_text=200.00", 400, "amount"),
    ("partial", "amount_text=10.00", 400, "amount"),  # below the invoice's minimum of 20.00
    ("partial", "amount_text=0.30", 400, "amount"),  # below Stripe's EUR minimum
    ("partial", "amount_text=4O.00", 400, "amount_text"),
    ("partial", "amount_text=40.001", 400, "amount_text"),
    ("partial", "amount=4000&amount_text=40", 400, None),
])
def test_pay_is_checked_against_the_live_balance_and_nothing_is_created(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, setup: str, body: str, status: int,
        field: str | None) -> None:
    payable = payable_invoice(tenant, allow_partial=setup == "partial", minimum_partial=2000)
    doc = payable["doc"]
    if setup == "paid":
        tenant.api.post(f"/api/v1/invoices/{doc['id']}/payments", {})
    if setup == "cancelled":
        tenant.api.post(f"/api/v1/invoices/{doc['id']}/cancel")
    if setup == "draft":
        draft = tenant.invoice(sent=False)
        reply = press_pay(anonymous, "/invoice/" + "x" * 43, body, Accept="application/json")
        assert reply.status == status and draft["status"] == "draft"
        return
    reply = press_pay(anonymous, payable["page"], body, Accept="application/json")
    assert reply.status == status, reply.body
    if field:
        assert reply.json["error"]["field"] == field
    assert stripe_api.calls == []


def test_a_part_payment_within_the_rules_is_accepted(tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp) -> None:
    payable = payable_invoice(tenant, allow_partial=True, minimum_partial=2000)
    assert "Anything from 20.00 EUR" in anonymous.get(payable["page"]).text
    assert press_pay(anonymous, payable["page"], "amount_text=40.00").status == 303
    assert stripe_api.calls[0]["params"]["line_items[0][price_data][unit_amount]"] == ["4000"]


def test_no_pay_button_unless_the_business_turned_payments_on(tenant: Any, anonymous: Api, stripe_api: Any) -> None:
    doc = tenant.invoice()
    page = local_path(tenant.share(doc["id"]))
    assert 'data-testid="pay"' not in anonymous.get(page).text
    assert press_pay(anonymous, page, Accept="application/json").status == 409
    tenant.api.patch("/api/v1/business", {"stripe_enabled": True})
    assert 'data-testid="pay"' in anonymous.get(page).text


def test_pay_clicks_are_rate_limited_per_link(tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp) -> None:
    payable = payable_invoice(tenant)
    statuses = [press_pay(anonymous, payable["page"]).status for _ in range(11)]
    assert statuses == [303] * 10 + [429]
    assert int(press_pay(anonymous, payable["page"]).headers["Retry-After"]) > 0


def test_pay_clicks_are_rate_limited_per_ip(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.api import checkout as checkout_api
    from chalicelib.services.payments import checkout

    monkeypatch.setattr(checkout, "PER_IP", 3)
    monkeypatch.setattr(checkout_api, "source_ip", lambda request: f"198.51.100.{tenant.business_id[:2]}")
    pages = [payable_invoice(tenant)["page"] for _ in range(2)]
    statuses = [press_pay(anonymous, pages[i % 2]).status for i in range(4)]
    assert statuses == [303, 303, 303, 429], statuses
    assert len(stripe_api.calls) == 3


# --- the webhook ----------------------------------------------------------------------


def test_the_webhook_refuses_bad_signatures_and_queues_nothing(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker) -> None:
    event = stripe_event("checkout.session.completed", {"id": "cs_x"})
    payload, header = signed_payload(event)
    cases = [
        {"Stripe-Signature": header.replace("v1=", "v1=0")},
        {},
        {"Stripe-Signature": signed_payload(event, at=int(time.time()) - 301)[1]},
        {"Stripe-Signature": signed_payload(event, secret="whsec_someone_else")[1]},
        {"Stripe-Signature": "garbage"},
    ]
    for headers in cases:
        reply = anonymous.call("POST", "/webhooks/stripe", payload, headers={"Content-Type": "application/json", **headers})
        assert reply.status == 400, headers
    tampered = payload.replace("cs_x", "cs_y")
    assert anonymous.call("POST", "/webhooks/stripe", tampered,
                          headers={"Content-Type": "application/json", "Stripe-Signature": header}).status == 400
    assert stripe_worker.queued() == 0
    assert post_event(anonymous, event).status == 200
    assert stripe_worker.queued() == 1


# --- the worker -----------------------------------------------------------------------


def test_a_completed_checkout_pays_the_invoice_unlocks_the_file_and_emails_a_receipt(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker, outbox: Any) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    session_id = start_checkout(anonymous, payable)
    assert "confirming" in anonymous.get(payable["page"] + "?payment=success").text
    event = stripe_event("checkout.session.completed", checkout_session(tenant, doc, session_id, 10000))
    assert post_event(anonymous, event).status == 200
    assert invoice_of(tenant, doc)["status"] == "sent"  # nothing changes before the worker runs
    assert stripe_worker.drain() == 1
    invoice = invoice_of(tenant, doc)
    assert (invoice["status"], invoice["amount_paid"], invoice["balance"]) == ("paid", 10000, 0)
    assert grant_state_of(tenant, doc) == "available"
    paid_page = anonymous.get(payable["page"] + "?payment=success").text
    assert "this invoice is paid" in paid_page and "100.00 EUR received" in paid_page and "(card)" in paid_page
    [receipt] = outbox.to("ada@acme.test")
    assert receipt.subject == f"Payment received for invoice {doc['number']}"
    # The same event again, and the same fact under another event id, change nothing.
    post_event(anonymous, event)
    post_event(anonymous, {**event, "id": "evt_other"})
    stripe_worker.drain()
    invoice = invoice_of(tenant, doc)
    assert invoice["amount_paid"] == 10000 and len(invoice["payments"]) == 1
    assert len(outbox.to("ada@acme.test")) == 1


def test_a_part_payment_keeps_the_file_locked(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker) -> None:
    payable = payable_invoice(tenant, allow_partial=True)
    doc = payable["doc"]
    session_id = start_checkout(anonymous, payable, "40.00")
    post_event(anonymous, stripe_event("checkout.session.completed", checkout_session(tenant, doc, session_id, 4000)))
    stripe_worker.drain()
    invoice = invoice_of(tenant, doc)
    assert (invoice["status"], invoice["balance"]) == ("partial", 6000)
    assert grant_state_of(tenant, doc) == "locked"


def test_refund_before_completion_ends_in_the_same_state_as_after(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker) -> None:
    results = []
    for order in (("pay", "refund"), ("refund", "pay")):
        payable = payable_invoice(tenant)
        doc = payable["doc"]
        session_id = start_checkout(anonymous, payable)
        pi = f"pi_{doc['id']}"
        events = {
            "pay": stripe_event("checkout.session.completed", checkout_session(tenant, doc, session_id, 10000, pi=pi)),
            "refund": stripe_event("charge.refunded", {"id": f"ch_{doc['id']}", "payment_intent": pi, "amount_refunded": 10000,
                                                 "currency": "eur", "metadata": {"business_id": tenant.business_id,
                                                                                 "doc_id": doc["id"]}}),
        }
        for step in order:
            post_event(anonymous, events[step])
            stripe_worker.drain()
        invoice = invoice_of(tenant, doc)
        denied = anonymous.get(local_path(payable["grant"]["download_url"])).status == 403
        results.append((invoice["status"], invoice["amount_paid"], len(invoice["payments"]), denied))
        # The grant is closed either way: "revoked" if it was ever open, else still "locked".
        assert grant_state_of(tenant, doc) == ("revoked" if order[0] == "pay" else "locked")
        # Refunded in full: nothing is asked again, and the page says what came back.
        assert (invoice["balance"], invoice["amount_refunded"]) == (0, 10000)
    assert results[0] == results[1] == ("paid", 10000, 2, True)


def test_a_partial_refund_keeps_the_file_and_asks_nothing_again_and_a_larger_one_is_not_undone_by_an_older_event(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    session_id = start_checkout(anonymous, payable)
    post_event(anonymous, stripe_event("checkout.session.completed", checkout_session(tenant, doc, session_id, 10000, pi="pi_r")))
    charge = {"id": "ch_r", "payment_intent": "pi_r", "currency": "eur"}
    post_event(anonymous, stripe_event("charge.refunded", {**charge, "amount_refunded": 7000}))
    post_event(anonymous, stripe_event("charge.refunded", {**charge, "amount_refunded": 3000}))  # older, arrives late
    stripe_worker.drain()
    invoice = invoice_of(tenant, doc)
    assert (invoice["status"], invoice["amount_paid"], invoice["amount_refunded"], invoice["balance"]) == (
        "paid", 10000, 7000, 0)
    assert grant_state_of(tenant, doc) == "available"  # the default rule revokes on a full refund only
    assert anonymous.get(local_path(payable["grant"]["download_url"])).status == 302
    assert 'name="amount_text"' not in anonymous.get(payable["page"]).text  # no Pay form asking for 70.00 again
    kinds = sorted((p["kind"], p["amount"]) for p in tenant.api.get("/api/v1/payments").json["items"])
    assert kinds == [("payment", 10000), ("refund", 7000)]
    assert "Refunded 70.00 EUR" in anonymous.get(payable["page"]).text


def test_keep_access_after_refund_keeps_the_file(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker) -> None:
    tenant.api.patch("/api/v1/business", {"stripe_enabled": True})
    doc = tenant.invoice()
    attach(tenant, tenant.file(), "invoice", doc["id"], "after_payment", keep_after_refund=True)  # the older flag
    page = local_path(tenant.share(doc["id"]))
    session_id = start_checkout(anonymous, {"page": page})
    post_event(anonymous, stripe_event("checkout.session.completed", checkout_session(tenant, doc, session_id, 10000, pi="pi_k")))
    post_event(anonymous, stripe_event("charge.refunded", {"id": "ch_k", "payment_intent": "pi_k", "amount_refunded": 10000}))
    stripe_worker.drain()
    [grant] = tenant.api.get(f"/api/v1/invoices/{doc['id']}/grants").json["items"]
    assert (grant["state"], grant["refund_rule"]) == ("available", "keep")


@pytest.mark.parametrize("rule, refunded, state", [
    ("revoke_on_full_refund", 100, "available"), ("revoke_on_full_refund", 10000, "revoked"),
    ("revoke_on_any_refund", 100, "revoked"), ("keep", 10000, "available")])
def test_each_refund_rule_through_stripes_events(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker, rule: str, refunded: int,
        state: str) -> None:
    tenant.api.patch("/api/v1/business", {"stripe_enabled": True})
    doc = tenant.invoice()
    grant = attach(tenant, tenant.file(), "invoice", doc["id"], "after_payment", refund_rule=rule)["grants"][0]
    page = local_path(tenant.share(doc["id"]))
    pi = f"pi_rule_{doc['id']}"
    session_id = start_checkout(anonymous, {"page": page})
    post_event(anonymous, stripe_event("checkout.session.completed", checkout_session(tenant, doc, session_id, 10000, pi=pi)))
    post_event(anonymous, stripe_event("charge.refunded", {"id": f"ch_{pi}", "payment_intent": pi, "amount_refunded": refunded}))
    stripe_worker.drain()
    assert grant_state_of(tenant, doc) == state
    assert anonymous.get(local_path(grant["download_url"])).status == (302 if state == "available" else 403)
    assert invoice_of(tenant, doc)["balance"] == 0


def test_an_open_dispute_leaves_the_sale_standing_until_stripe_rules(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    session_id = start_checkout(anonymous, payable)
    post_event(anonymous, stripe_event("checkout.session.completed", checkout_session(tenant, doc, session_id, 10000, pi="pi_d")))
    dispute = {"id": "dp_1", "payment_intent": "pi_d", "amount": 10000, "currency": "eur", "status": "needs_response"}
    post_event(anonymous, stripe_event("charge.dispute.created", dispute))
    stripe_worker.drain()
    assert (invoice_of(tenant, doc)["status"], grant_state_of(tenant, doc)) == ("paid", "available")
    post_event(anonymous, stripe_event("charge.dispute.closed", {**dispute, "status": "won"}))
    post_event(anonymous, stripe_event("charge.dispute.created", dispute, event_id="evt_late_created"))  # arrives late
    stripe_worker.drain()
    assert (invoice_of(tenant, doc)["status"], grant_state_of(tenant, doc)) == ("paid", "available")


def test_concurrent_completions_for_one_invoice_never_over_apply(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker, outbox: Any) -> None:
    from chalicelib.services.payments import stripe_events

    payable = payable_invoice(tenant)
    doc = payable["doc"]
    first = start_checkout(anonymous, payable)
    # Four full payments land at once (say, the client paid in four tabs).
    events = [stripe_event("checkout.session.completed", checkout_session(tenant, doc, first, 10000, pi=f"pi_c{i}"))
              for i in range(4)]
    barrier = threading.Barrier(len(events))
    outcomes: list[str] = []

    def apply(event: dict[str, Any]) -> None:
        barrier.wait()
        outcomes.append(stripe_events.process(event))

    threads = [threading.Thread(target=apply, args=(e,)) for e in events]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    invoice = invoice_of(tenant, doc)
    assert (invoice["status"], invoice["amount_paid"], invoice["balance"], invoice["overpaid"]) == ("paid", 10000, 0, 30000)
    assert outcomes == ["payment_recorded"] * 4
    assert len([p for p in invoice["payments"] if p["kind"] == "payment"]) == 4  # the money is all on record
    assert len(outbox.to("ada@acme.test")) == 1  # one receipt: only one writer moved it to paid


def test_tampered_metadata_and_currency_mismatch_are_not_applied(
        tenant: Any, make_tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker) -> None:
    from chalicelib.services.payments import stripe_events

    victim = make_tenant("Victim")
    victim_doc = victim.invoice()
    payable = payable_invoice(tenant)
    session_id = start_checkout(anonymous, payable)
    # Our session's metadata pointing at another business's invoice: no such session there.
    forged = checkout_session(victim, victim_doc, session_id, 10000, pi="pi_forged")
    assert stripe_events.process(stripe_event("checkout.session.completed", forged)) == "rejected_unknown_session"
    assert invoice_of(victim, victim_doc)["amount_paid"] == 0
    wrong_currency = checkout_session(tenant, payable["doc"], session_id, 10000, currency="usd", pi="pi_usd")
    assert stripe_events.process(stripe_event("checkout.session.completed", wrong_currency)) == "rejected_currency_mismatch"
    invoice = invoice_of(tenant, payable["doc"])
    assert invoice["amount_paid"] == 0 and [p["kind"] for p in invoice["payments"]] == ["unapplied"]


def test_unknown_events_are_acknowledged_and_poison_messages_stay_queued(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker, caplog: Any) -> None:
    from chalicelib.services.payments import stripe_events

    assert stripe_events.process(stripe_event("customer.created", {"id": "cus_1"})) == "ignored"
    post_event(anonymous, stripe_event("charge.dispute.created", {"id": "dp_orphan", "payment_intent": "pi_nowhere"}))
    with caplog.at_level(logging.INFO, logger="paydrop.workers"), pytest.raises(stripe_events.RetryLater):
        stripe_worker.drain()
    assert stripe_worker.queued() == 1  # redelivered later; after 5 receives SQS moves it to the DLQ
    [line] = [r.getMessage() for r in caplog.records if r.name == "paydrop.workers"]
    assert "charge.dispute.created" in line and "SQS will retry" in line and "dp_orphan" in line


def test_expired_checkout_starts_a_new_attempt(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    press_pay(anonymous, payable["page"])
    key = stripe_api.calls[0]["headers"]["Idempotency-Key"]
    post_event(anonymous, stripe_event("checkout.session.expired", {"id": "cs_test_1", "metadata": {
        "business_id": tenant.business_id, "doc_id": doc["id"]}}))
    assert stripe_worker.drain() == 1
    press_pay(anonymous, payable["page"])
    assert stripe_api.calls[1]["headers"]["Idempotency-Key"] != key


# --- the offline checkout -------------------------------------------------------------




def test_the_offline_checkout_pays_through_the_real_webhook_path(
        tenant: Any, anonymous: Api, offline_webhook: list[int], stripe_worker: QueueWorker, outbox: Any) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    location = press_pay(anonymous, payable["page"]).headers["Location"]
    checkout_page = anonymous.get(local_path(location))
    assert "Test mode" in checkout_page.text and "100.00 EUR" in checkout_page.text
    done = anonymous.call("POST", local_path(location), "outcome=pay", headers=FORM)
    assert done.status == 303 and done.headers["Location"].endswith(payable["page"] + "?payment=success")
    assert offline_webhook == [200] and stripe_worker.drain() == 1
    assert invoice_of(tenant, doc)["status"] == "paid" and grant_state_of(tenant, doc) == "available"
    download = anonymous.get(local_path(payable["grant"]["download_url"]))
    assert download.status == 302
    assert len(outbox.to("ada@acme.test")) == 1
    assert anonymous.call("POST", local_path(location), "outcome=pay", headers={**FORM, **JSON}).status == 409


def test_declining_in_the_offline_checkout_charges_nothing(
        tenant: Any, anonymous: Api, offline_webhook: list[int], stripe_worker: QueueWorker) -> None:
    payable = payable_invoice(tenant)
    location = press_pay(anonymous, payable["page"]).headers["Location"]
    done = anonymous.call("POST", local_path(location), "outcome=decline", headers=FORM)
    assert done.headers["Location"].endswith("?payment=cancelled")
    stripe_worker.drain()
    assert invoice_of(tenant, payable["doc"])["status"] == "sent"
    assert "not completed" in anonymous.get(payable["page"] + "?payment=cancelled").text
    assert anonymous.call("POST", local_path(location), "outcome=steal", headers={**FORM, **JSON}).status == 400


def test_a_poison_message_ends_in_the_dead_letter_queue_after_five_tries(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker, aws: Any) -> None:
    from chalicelib.aws import sqs
    from chalicelib.services.payments import stripe_events

    post_event(anonymous, stripe_event("charge.dispute.created", {"id": "dp_poison", "payment_intent": "pi_never"}))
    for _ in range(5):
        with pytest.raises(stripe_events.RetryLater):
            stripe_worker.drain()
    assert stripe_worker.drain() == 0 and stripe_worker.queued() == 0
    dead = sqs().receive_message(QueueUrl=aws.stripe_events_dlq_url, MaxNumberOfMessages=10).get("Messages", [])
    assert any("dp_poison" in m["Body"] for m in dead)


def test_a_bank_debit_pays_only_when_its_async_payment_succeeds(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    session_id = start_checkout(anonymous, payable)
    pending = checkout_session(tenant, doc, session_id, 10000, pi="pi_sepa", paid=False)
    post_event(anonymous, stripe_event("checkout.session.completed", pending))
    stripe_worker.drain()
    assert invoice_of(tenant, doc)["status"] == "sent" and grant_state_of(tenant, doc) == "locked"
    post_event(anonymous, stripe_event("checkout.session.async_payment_succeeded", {**pending, "payment_status": "paid"}))
    stripe_worker.drain()
    assert invoice_of(tenant, doc)["status"] == "paid" and grant_state_of(tenant, doc) == "available"
