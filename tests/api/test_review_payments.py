"""Payments review: attacks and real-world Stripe behaviour. Each test asserts the correct
behaviour; a failing one shows a defect, a passing one stays as a regression test."""
from __future__ import annotations

import json
import logging
import time
from types import SimpleNamespace
from typing import Any

import pytest

from tests.conftest import Api, QueueWorker, local_path
from tests.support.client_flows import FORM, JSON
from tests.support.payments import (
    WEBHOOK_SECRET,
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


def _params(call: dict[str, Any]) -> dict[str, str]:
    return {k: v[0] for k, v in call["params"].items()}


def _completed(anonymous: Api, worker: QueueWorker, tenant: Any, doc: dict[str, Any], session_id: str, amount: int,
               **kw: Any) -> None:
    assert post_event(anonymous, stripe_event("checkout.session.completed",
                                         checkout_session(tenant, doc, session_id, amount, **kw))).status == 200
    worker.drain()


# --- ledger arithmetic ------------------------------------------------------------------


def test_an_unapplied_wrong_currency_payment_does_not_cancel_out_a_real_payment(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    """An `unapplied` entry (kept for staff review) must contribute nothing to amount paid."""
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    first = start_checkout(anonymous, payable)
    _completed(anonymous, stripe_worker, tenant, doc, first, 10000, currency="usd", pi="pi_usd")
    assert [p["kind"] for p in invoice_of(tenant, doc)["payments"]] == ["unapplied"]
    second = start_checkout(anonymous, payable)
    _completed(anonymous, stripe_worker, tenant, doc, second, 10000, pi="pi_eur")
    invoice = invoice_of(tenant, doc)
    assert (invoice["status"], invoice["amount_paid"]) == ("paid", 10000)
    assert grant_state_of(tenant, doc) == "available"


def test_refunding_an_unapplied_payment_leaves_the_invoice_paid(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    """Staff refund the wrong-currency payment: the EUR payment that settled the invoice stands."""
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    _completed(anonymous, stripe_worker, tenant, doc, start_checkout(anonymous, payable), 10000, pi="pi_eur2")
    assert invoice_of(tenant, doc)["status"] == "paid"
    # A USD payment for the same invoice (say a session created in another tab) is held as unapplied...
    from chalicelib.services.payments import stripe_events

    assert stripe_events.process(stripe_event("checkout.session.completed", checkout_session(
        tenant, doc, "cs_test_1", 10000, currency="usd", pi="pi_usd2"))) == "rejected_currency_mismatch"
    # ...and staff refund it in full.
    post_event(anonymous, stripe_event("charge.refunded", {"id": "ch_usd2", "payment_intent": "pi_usd2", "currency": "usd",
                                                      "amount_refunded": 10000}))
    stripe_worker.drain()
    invoice = invoice_of(tenant, doc)
    assert (invoice["status"], invoice["amount_paid"]) == ("paid", 10000)
    assert grant_state_of(tenant, doc) == "available"


def test_a_payment_landing_on_a_cancelled_invoice_is_flagged_for_refund(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    """The client opened Checkout, staff cancelled the invoice, then the client paid (the Stripe
    session stays open for 24 h). The invoice stays cancelled, nothing unlocks, and the money
    shows as something staff must refund."""
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    session_id = start_checkout(anonymous, payable)
    assert tenant.api.post(f"/api/v1/invoices/{doc['id']}/cancel").status == 200
    _completed(anonymous, stripe_worker, tenant, doc, session_id, 10000, pi="pi_late")
    invoice = invoice_of(tenant, doc)
    assert invoice["status"] == "cancelled"
    assert grant_state_of(tenant, doc) != "available"
    flagged = invoice["overpaid"] == 10000 or any(p["kind"] == "unapplied" for p in invoice["payments"])
    assert flagged, invoice


def test_manual_payment_racing_a_stripe_completion_shows_the_overpayment(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    session_id = start_checkout(anonymous, payable)
    assert tenant.api.post(f"/api/v1/invoices/{doc['id']}/payments", {}).status in (200, 201)
    _completed(anonymous, stripe_worker, tenant, doc, session_id, 10000, pi="pi_race")
    invoice = invoice_of(tenant, doc)
    assert (invoice["status"], invoice["amount_paid"], invoice["balance"], invoice["overpaid"]) == ("paid", 10000, 0, 10000)
    # Staff refund the card payment: still paid by the bank transfer.
    post_event(anonymous, stripe_event("charge.refunded", {"id": "ch_race", "payment_intent": "pi_race", "currency": "eur",
                                                      "amount_refunded": 10000}))
    stripe_worker.drain()
    invoice = invoice_of(tenant, doc)
    assert (invoice["status"], invoice["amount_paid"], invoice["overpaid"]) == ("paid", 10000, 0)


def test_several_partial_refunds_then_a_dispute_of_the_rest(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    _completed(anonymous, stripe_worker, tenant, doc, start_checkout(anonymous, payable), 10000, pi="pi_pr")
    charge = {"id": "ch_pr", "payment_intent": "pi_pr", "currency": "eur"}
    for refunded in (1000, 3000, 3000):  # the last one is a duplicate of the second under a new event id
        post_event(anonymous, stripe_event("charge.refunded", {**charge, "amount_refunded": refunded}))
    stripe_worker.drain()
    invoice = invoice_of(tenant, doc)
    assert (invoice["status"], invoice["amount_paid"], invoice["amount_refunded"]) == ("paid", 10000, 3000)
    dispute = {"id": "dp_pr", "payment_intent": "pi_pr", "amount": 7000, "currency": "eur", "status": "needs_response"}
    post_event(anonymous, stripe_event("charge.dispute.created", dispute))
    stripe_worker.drain()
    assert (invoice_of(tenant, doc)["amount_paid"], grant_state_of(tenant, doc)) == (10000, "available")  # open: no ruling yet
    post_event(anonymous, stripe_event("charge.dispute.closed", {**dispute, "status": "lost"}))
    post_event(anonymous, stripe_event("charge.dispute.created", dispute))  # late "created": never reopens a close
    stripe_worker.drain()
    invoice = invoice_of(tenant, doc)
    # 3,000 refunded (settled, not owed again) and 7,000 taken back by the card network: 7,000 is owed.
    assert (invoice["status"], invoice["amount_paid"], invoice["balance"]) == ("partial", 3000, 7000)
    [grant] = tenant.api.get(f"/api/v1/invoices/{doc['id']}/grants").json["items"]
    assert (grant["state"], grant["reason"]) == ("revoked", "dispute_lost")
    # The balance is payable again (a new attempt/amount is fine).
    assert press_pay(anonymous, payable["page"]).status == 303


def test_an_inquiry_does_not_take_the_money_back(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    """An inquiry (`warning_needs_response`) withdraws no funds: the invoice stays paid."""
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    _completed(anonymous, stripe_worker, tenant, doc, start_checkout(anonymous, payable), 10000, pi="pi_inq")
    post_event(anonymous, stripe_event("charge.dispute.created", {
        "id": "dp_inq", "payment_intent": "pi_inq", "amount": 10000, "currency": "eur",
        "status": "warning_needs_response"}))
    stripe_worker.drain()
    assert invoice_of(tenant, doc)["status"] == "paid"


def test_expired_after_completion_changes_nothing(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    session_id = start_checkout(anonymous, payable)
    _completed(anonymous, stripe_worker, tenant, doc, session_id, 10000, pi="pi_exp")
    from chalicelib.services.payments import stripe_events

    outcome = stripe_events.process(stripe_event("checkout.session.expired", {"id": session_id, "metadata": {
        "business_id": tenant.business_id, "doc_id": doc["id"]}}))
    assert outcome == "already_complete"
    assert invoice_of(tenant, doc)["status"] == "paid"


# --- the idempotency key ----------------------------------------------------------------


def test_a_second_part_payment_of_the_same_amount_gets_a_new_checkout(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    """Same invoice + amount + attempt after a *completed* payment reuses the idempotency key, so
    Stripe (for 24 h) answers with the first, already completed session: the client cannot pay."""
    payable = payable_invoice(tenant, allow_partial=True)
    doc = payable["doc"]
    first = start_checkout(anonymous, payable, "40.00")
    _completed(anonymous, stripe_worker, tenant, doc, first, 4000, pi="pi_part1")
    assert invoice_of(tenant, doc)["amount_paid"] == 4000
    assert press_pay(anonymous, payable["page"], "amount_text=40.00").status == 303
    keys = [c["headers"]["Idempotency-Key"] for c in stripe_api.calls]
    assert keys[0] != keys[1]


def test_offline_a_second_part_payment_of_the_same_amount_is_recorded(
        tenant: Any, anonymous: Api, offline_webhook: list[int], stripe_worker: QueueWorker) -> None:
    """The same defect locally: the second payment reuses the session id and PaymentIntent, and is dropped."""
    payable = payable_invoice(tenant, allow_partial=True)
    doc = payable["doc"]
    for _ in range(2):
        location = press_pay(anonymous, payable["page"], "amount_text=40.00").headers["Location"]
        done = anonymous.call("POST", local_path(location), "outcome=pay", headers=FORM)
        assert done.status == 303, done.body
        stripe_worker.drain()
    assert invoice_of(tenant, doc)["amount_paid"] == 8000


class IdempotentFakeStripe(FakeStripeHttp):
    """Like Stripe: a key reused with different parameters is refused (400 idempotency_error)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[str, Any] = {}

    def request_with_retries(self, method: str, url: str, headers: Any, post_data: Any = None, **kw: Any) -> Any:
        key = dict(headers or {}).get("Idempotency-Key")
        if key in self.seen and self.seen[key] != post_data:
            body = {"error": {"type": "idempotency_error", "message": "Keys for idempotent requests can only be used "
                              "with the same parameters they were first used with."}}
            return json.dumps(body), 400, {}
        if key:
            self.seen[key] = post_data
        return super().request_with_retries(method, url, headers, post_data, **kw)


def test_pay_still_works_after_the_checkout_parameters_change(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key covers invoice + amount + attempt only; if anything else in the session changes
    (business renamed, client's email corrected, page reached on another host) Stripe refuses
    the reused key and the invoice cannot be paid online until the old session expires."""
    from chalicelib.services.payments import stripe_gateway

    fake = IdempotentFakeStripe()
    monkeypatch.setattr(stripe_gateway, "http_client", fake)
    stripe_gateway.reset_client()
    stripe_gateway.configured()
    payable = payable_invoice(tenant)
    assert press_pay(anonymous, payable["page"]).status == 303
    assert tenant.api.patch("/api/v1/business", {"name": "Renamed Business"}).status == 200
    reply = press_pay(anonymous, payable["page"], Accept="application/json")
    assert reply.status == 303, reply.body


# --- amounts and currencies -------------------------------------------------------------


@pytest.mark.parametrize("currency, total, stripe_amount", [
    ("JPY", 5000, "5000"),  # zero-decimal on both sides
    ("KWD", 10000, "10000"),  # 10.000 KWD: three decimals on both sides
    ("ISK", 5000, "500000"),  # Stripe keeps ISK two-decimal in its API (5,000 kr = 500000)
    ("MGA", 10000, "100"),  # Stripe treats MGA as zero-decimal (100.00 MGA = 100)
])
def test_the_amount_sent_to_stripe_is_in_stripes_minor_units(
        make_tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, currency: str, total: int,
        stripe_amount: str) -> None:
    tenant = make_tenant("Currency Co", currency=currency)
    payable = payable_invoice(tenant, total=total)
    assert payable["doc"]["currency"] == currency
    reply = press_pay(anonymous, payable["page"], Accept="application/json")
    assert reply.status == 303, reply.body
    assert _params(stripe_api.calls[0])["line_items[0][price_data][unit_amount]"] == stripe_amount


def test_an_isk_payment_from_stripe_is_read_in_stripes_units(
        make_tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    """Stripe reports 5,000 kr as amount_total 500000; 5000 would be 50 kr, not a full payment."""
    tenant = make_tenant("Iceland Co", currency="ISK")
    payable = payable_invoice(tenant, total=5000)
    doc = payable["doc"]
    session_id = start_checkout(anonymous, payable)
    _completed(anonymous, stripe_worker, tenant, doc, session_id, 5000, currency="isk", pi="pi_isk")
    invoice = invoice_of(tenant, doc)
    assert (invoice["status"], invoice["amount_paid"]) == ("partial", 50)


def test_a_three_decimal_amount_stripe_cannot_charge_is_refused_up_front(
        make_tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp) -> None:
    """Stripe requires the last digit of KWD/BHD/JOD/OMR/TND amounts to be 0."""
    tenant = make_tenant("Kuwait Co", currency="KWD")
    payable = payable_invoice(tenant, total=100000, allow_partial=True)
    reply = press_pay(anonymous, payable["page"], "amount_text=10.005", Accept="application/json")
    assert reply.status == 400, reply.body
    assert stripe_api.calls == []


def test_an_amount_above_stripes_maximum_is_refused_up_front(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp) -> None:
    """Stripe's ceiling is 99,999,999 minor units (999,999.99 EUR): say so, do not answer 503."""
    payable = payable_invoice(tenant, total=200_000_000)
    reply = press_pay(anonymous, payable["page"], Accept="application/json")
    assert 400 <= reply.status < 500 and reply.status != 429, reply.body
    assert stripe_api.calls == []


@pytest.mark.parametrize("body", [
    "amount=-100", "amount=0", "amount=1e400", "amount=99999999999999999999999", "amount=abc",
    "amount_text=NaN", "amount_text=Infinity", "amount_text=1e5", "amount_text=-40", "amount_text=.",
    "amount_text=" + "9" * 20, "amount_text=40.00&amount_text=50.00", "amount_text=%00",
])
def test_garbage_pay_amounts_are_4xx_and_reach_no_stripe(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, body: str) -> None:
    payable = payable_invoice(tenant, allow_partial=True)
    reply = press_pay(anonymous, payable["page"], body, Accept="application/json")
    assert 400 <= reply.status < 500, (body, reply.status, reply.body)
    assert stripe_api.calls == []


def test_garbage_json_pay_bodies_are_4xx(tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp) -> None:
    payable = payable_invoice(tenant, allow_partial=True)
    for body in ['{"amount": "4000"}', '{"amount": 40.5}', '[]', '{"amount": null, "x": 1}', '{', '"x"',
                 '{"amount": true}']:
        reply = anonymous.call("POST", payable["page"] + "/pay", body, headers={**JSON, "Content-Type": "application/json"})
        assert 400 <= reply.status < 500, (body, reply.status, reply.body)
    assert stripe_api.calls == []


# --- the pay endpoint -------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "https://pay.example.test.evil.example"},
])
def test_cross_site_pay_posts_are_refused(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, headers: dict[str, str]) -> None:
    payable = payable_invoice(tenant)
    reply = press_pay(anonymous, payable["page"], Accept="application/json", **headers)
    assert reply.status == 403, reply.body
    assert stripe_api.calls == []


def test_stripe_errors_are_not_echoed_to_the_client(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, monkeypatch: pytest.MonkeyPatch) -> None:
    secret_message = "No such destination: acct_1SECRET; your account sk_live_leak is restricted"

    def refuse(*_: Any, **__: Any) -> Any:
        return json.dumps({"error": {"type": "invalid_request_error", "message": secret_message}}), 400, {}

    monkeypatch.setattr(stripe_api, "request_with_retries", refuse)
    payable = payable_invoice(tenant)
    reply = press_pay(anonymous, payable["page"], Accept="application/json")
    assert 400 <= reply.status < 600 and reply.status != 500
    assert "acct_1SECRET" not in reply.text and "sk_live" not in reply.text
    page = press_pay(anonymous, payable["page"])
    assert "acct_1SECRET" not in page.text and "sk_live" not in page.text


def test_in_the_cloud_without_a_key_there_is_no_offline_checkout(
        tenant: Any, anonymous: Api, offline_webhook: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.services.payments import checkout, offline_checkout, stripe_gateway

    payable = payable_invoice(tenant)
    location = press_pay(anonymous, payable["page"]).headers["Location"]  # made locally
    cloud = SimpleNamespace(is_local=False)
    for module in (offline_checkout, checkout, stripe_gateway):
        monkeypatch.setattr(module, "settings", lambda: cloud)
    assert anonymous.get(local_path(location)).status == 404
    reply = anonymous.call("POST", local_path(location), "outcome=pay", headers={**FORM, **JSON})
    assert reply.status == 404 and offline_webhook == []
    reply = press_pay(anonymous, payable["page"], Accept="application/json")
    assert reply.status == 409 and "/checkout/offline/" not in reply.text


def test_offline_checkout_ids_cannot_reach_another_business(
        tenant: Any, make_tenant: Any, anonymous: Api, offline_webhook: list[int]) -> None:
    payable = payable_invoice(tenant)
    location = press_pay(anonymous, payable["page"]).headers["Location"]
    session_id = location.rsplit("/", 1)[1]
    victim = make_tenant("Victim")
    victim_doc = victim.invoice()
    forged = session_id.replace(tenant.business_id, victim.business_id).replace(payable["doc"]["id"], victim_doc["id"])
    for sid in (forged, "cs_offline_", "cs_offline____", "cs_offline_" + tenant.business_id, "..%2F..%2Fadmin"):
        assert anonymous.get(f"/checkout/offline/{sid}").status == 404, sid
    assert offline_webhook == []


# --- the webhook ------------------------------------------------------------------------


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


# --- the worker ---------------------------------------------------------------------------


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
    assert outcome != "refund_recorded"


def test_payments_logs_carry_no_secrets_or_customer_details(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker, caplog: Any) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    with caplog.at_level(logging.INFO):
        session_id = start_checkout(anonymous, payable)
        _completed(anonymous, stripe_worker, tenant, doc, session_id, 9999, pi="pi_log")
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
