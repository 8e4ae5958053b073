"""The Stripe webhook and the payments worker: signatures (several v1, garbage headers), bodies
(garbage, oversized, malformed objects), replays, unknown events, poison messages and the dead-letter
queue, what the logs may carry, and a transient SSM failure."""
from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest

from tests.conftest import Api, QueueWorker
from tests.support.payments import (
    WEBHOOK_SECRET,
    FakeStripeHttp,
    checkout_session,
    completed_checkout,
    invoice_of,
    payable_invoice,
    post_event,
    signed_payload,
    start_checkout,
    stripe_event,
)

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def test_a_header_with_several_v1_signatures_is_accepted_if_one_matches(
        anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker) -> None:
    """Stripe sends two v1 signatures while a signing secret is being rolled."""
    event = stripe_event("customer.created", {"id": "cus_roll"})
    payload, header = signed_payload(event)
    t, v1 = header.split(",")
    rolled = f"{t},v1={'0' * 64},{v1},v0=deadbeef"
    reply = anonymous.call("POST", "/webhooks/stripe", payload,
                           headers={"Content-Type": "application/json", "Stripe-Signature": rolled})
    assert reply.status == 200 and stripe_worker.queued() == 1


@pytest.mark.parametrize("header", [
    "t=abc,v1=00", "t=1e10,v1=aa", "v1=aa", "t=" + "9" * 40 + ",v1=aa", ",,,", "t=1,t=2,v1=x", "t=,v1=",
    "v0=aa", "t=-1,v1=aa", "\u00e9\u00e9", "t=1\x00,v1=aa",
])
def test_garbage_signature_headers_are_400_json(
        anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker, header: str) -> None:
    payload = json.dumps(stripe_event("checkout.session.completed", {"id": "cs_x"}))
    try:
        reply = anonymous.call("POST", "/webhooks/stripe", payload,
                               headers={"Content-Type": "application/json", "Stripe-Signature": header})
    except (UnicodeEncodeError, ValueError):
        pytest.skip("the test client cannot send this header")
    assert reply.status == 400, (header, reply.status, reply.body)
    assert reply.json["error"]["code"]
    assert stripe_worker.queued() == 0


@pytest.mark.parametrize("payload", [
    "not json", "[]", "null", '"evt"', '{"id": 1, "type": "x"}', '{"id": "evt_x"}', '{"type": "x"}',
    '{"id": "evt_x", "type": ["a"]}', "{" * 5000 + "}" * 5000, "",
])
def test_signed_garbage_bodies_are_4xx_json_never_500(
        anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker, payload: str) -> None:
    from chalicelib.services.payments.stripe_gateway import signature_header

    header = signature_header(payload.encode(), WEBHOOK_SECRET, int(time.time()))
    reply = anonymous.call("POST", "/webhooks/stripe", payload,
                           headers={"Content-Type": "application/json", "Stripe-Signature": header})
    assert 400 <= reply.status < 500, (payload[:40], reply.status, reply.body)
    assert reply.json["error"]["code"]
    assert stripe_worker.queued() == 0


def test_an_oversized_body_is_413(anonymous: Api, stripe_secrets: Any) -> None:
    payload = json.dumps(stripe_event("customer.created", {"id": "cus_big", "pad": "x" * 600_000}))
    _, header = signed_payload(json.loads(payload))
    reply = anonymous.call("POST", "/webhooks/stripe", payload,
                           headers={"Content-Type": "application/json", "Stripe-Signature": header})
    assert reply.status == 413


def test_a_replayed_event_applies_once(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker, outbox: Any) -> None:
    payable = payable_invoice(tenant, allow_partial=True)
    doc = payable["doc"]
    session_id = start_checkout(anonymous, payable, "40.00")
    event = stripe_event("checkout.session.completed", checkout_session(tenant, doc, session_id, 4000, pi="pi_replay"))
    payload, header = signed_payload(event)
    for _ in range(3):
        assert anonymous.call("POST", "/webhooks/stripe", payload,
                              headers={"Content-Type": "application/json", "Stripe-Signature": header}).status == 200
    stripe_worker.drain()
    assert invoice_of(tenant, doc)["amount_paid"] == 4000


@pytest.mark.parametrize("obj", [
    {"id": "cs_m", "payment_status": "paid", "metadata": {"business_id": 1, "doc_id": ["x"]}},
    {"payment_status": "paid"},
])
def test_malformed_checkout_objects_are_acknowledged_not_retried(tenant: Any, stripe_secrets: Any, obj: dict[str, Any]) -> None:
    from chalicelib.services.payments import stripe_events

    assert stripe_events.process(stripe_event("checkout.session.completed", obj)).startswith("rejected")


def test_a_refund_of_a_charge_paydrop_never_made_is_acknowledged(stripe_secrets: Any) -> None:
    """No known PaymentIntent and no Paydrop metadata: it can never be placed, so retrying it
    five times and parking it in the DLQ only makes noise (e.g. a Dashboard charge on the same account)."""
    from chalicelib.services.payments import stripe_events

    outcome = stripe_events.process(stripe_event("charge.refunded", {
        "id": "ch_foreign", "payment_intent": "pi_foreign", "amount_refunded": 500, "currency": "eur", "metadata": {}}))
    assert outcome == "ignored_foreign_charge", outcome


def test_payments_logs_carry_no_secrets_or_customer_details(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker, caplog: Any) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    with caplog.at_level(logging.INFO):
        session_id = start_checkout(anonymous, payable)
        completed_checkout(anonymous, stripe_worker, tenant, doc, session_id, 9999, pi="pi_log")
        post_event(anonymous, stripe_event("charge.dispute.created", {"id": "dp_log", "payment_intent": "pi_nowhere",
                                                                 "customer_email": "ada@acme.test"}))
        with pytest.raises(Exception):  # noqa: B017 - RetryLater
            stripe_worker.drain()
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(("paydrop", "stripe")))
    for secret in ("sk_test_paydrop", WEBHOOK_SECRET, "ada@acme.test", payable["page"].rsplit("/", 1)[1]):
        assert secret not in text, secret


def test_a_transient_ssm_failure_does_not_turn_online_payment_off_for_the_container(
        stripe_secrets: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """`configured()` is cached, including a False caused by a throttled/failed SSM read: the Pay
    button then disappears (and Pay answers 409) until the Lambda container is recycled."""
    from chalicelib.domain.errors import Unavailable
    from chalicelib.services.payments import stripe_gateway

    replies: list[Any] = [Unavailable("parameter /paydrop/prod/stripe-secret-key could not be read"), "sk_live_x"]

    def flaky(name: str) -> str:
        reply = replies.pop(0) if replies else "sk_live_x"
        if isinstance(reply, Exception):
            raise reply
        return str(reply)

    stripe_gateway.reset_client()
    monkeypatch.setattr(stripe_gateway, "secret", flaky)
    stripe_gateway.configured()  # the throttled read
    assert stripe_gateway.configured() is True



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
