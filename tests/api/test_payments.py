"""Online payment: the Pay button and Checkout Session, the Stripe webhook (verified, queued),
the payments worker (idempotent, order-independent), refunds, disputes, the offline checkout."""
from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from tests.conftest import Api, QueueWorker, local_path
from tests.support.client_flows import JSON
from tests.support.payments import (
    FakeStripeHttp,
    checkout_session,
    completed_checkout,
    grant_state_of,
    invoice_of,
    payable_invoice,
    post_event,
    press_pay,
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


def _count_secret_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from chalicelib.services.payments import stripe_gateway

    reads: list[str] = []
    real = stripe_gateway.secret
    monkeypatch.setattr(stripe_gateway, "secret", lambda name: reads.append(name) or real(name))
    return reads


def test_a_stage_that_declares_stripe_shows_pay_without_reading_the_key_until_pay_is_pressed(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, monkeypatch: pytest.MonkeyPatch) -> None:
    """STRIPE_CONFIGURED (deploy.sh: the stage has the key): the invoice page, a cold start's
    first request, makes no SSM read; the key is read when a payment starts, and used."""
    from chalicelib.config import reset_settings

    monkeypatch.setenv("STRIPE_CONFIGURED", "true")
    reset_settings()
    reads = _count_secret_reads(monkeypatch)
    payable = payable_invoice(tenant)
    page = anonymous.call("GET", payable["page"], headers={"Accept": "text/html"})
    assert page.status == 200 and 'data-testid="pay"' in page.text
    assert reads == []
    reply = press_pay(anonymous, payable["page"])
    assert reply.status == 303 and reply.headers["Location"].startswith("https://checkout.stripe.com/")
    assert "stripe-secret-key" in reads and stripe_api.calls[0]["headers"]["Authorization"] == "Bearer sk_test_paydrop"


def test_a_stage_that_declares_no_stripe_never_reads_the_key(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, monkeypatch: pytest.MonkeyPatch) -> None:
    """STRIPE_CONFIGURED=false: as a stage without the key (locally, Pay opens the offline checkout)."""
    from chalicelib.config import reset_settings

    monkeypatch.setenv("STRIPE_CONFIGURED", "false")
    reset_settings()
    reads = _count_secret_reads(monkeypatch)
    payable = payable_invoice(tenant)
    reply = press_pay(anonymous, payable["page"])
    assert reply.status == 303 and "/checkout/offline/" in reply.headers["Location"]
    assert reads == [] and stripe_api.calls == []


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
    assert "Anything from €20.00" in anonymous.get(payable["page"]).text
    assert press_pay(anonymous, payable["page"], "amount_text=40.00").status == 303
    assert stripe_api.calls[0]["params"]["line_items[0][price_data][unit_amount]"] == ["4000"]


def test_no_pay_button_unless_the_business_turned_payments_on(tenant: Any, anonymous: Api, stripe_api: Any) -> None:
    doc = tenant.invoice()
    page = local_path(tenant.share(doc["id"]))
    assert 'data-testid="pay"' not in anonymous.get(page).text
    assert press_pay(anonymous, page, Accept="application/json").status == 409
    tenant.api.patch("/api/v1/business", {"stripe_enabled": True})
    assert 'data-testid="pay"' in anonymous.get(page).text


@pytest.mark.usefixtures("frozen_clock")
def test_pay_clicks_are_rate_limited_per_link(tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp) -> None:
    payable = payable_invoice(tenant)
    statuses = [press_pay(anonymous, payable["page"]).status for _ in range(11)]
    assert statuses == [303] * 10 + [429]
    assert int(press_pay(anonymous, payable["page"]).headers["Retry-After"]) > 0


@pytest.mark.usefixtures("frozen_clock")
def test_pay_clicks_are_rate_limited_per_ip(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.api import checkout as checkout_api
    from chalicelib.services.payments import checkout

    monkeypatch.setattr(checkout, "PER_IP", 3)
    monkeypatch.setattr(checkout_api, "client_ip", lambda request: f"198.51.100.{tenant.business_id[:2]}")
    pages = [payable_invoice(tenant)["page"] for _ in range(2)]
    statuses = [press_pay(anonymous, pages[i % 2]).status for i in range(4)]
    assert statuses == [303, 303, 303, 429], statuses
    assert len(stripe_api.calls) == 3


# --- the webhook ----------------------------------------------------------------------


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
    assert "this invoice is paid" in paid_page and "€100.00 received" in paid_page and "(card)" in paid_page
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




def _params(call: dict[str, Any]) -> dict[str, str]:
    return {k: v[0] for k, v in call["params"].items()}


def test_expired_after_completion_changes_nothing(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    session_id = start_checkout(anonymous, payable)
    completed_checkout(anonymous, stripe_worker, tenant, doc, session_id, 10000, pi="pi_exp")
    from chalicelib.services.payments import stripe_events

    outcome = stripe_events.process(stripe_event("checkout.session.expired", {"id": session_id, "metadata": {
        "business_id": tenant.business_id, "doc_id": doc["id"]}}))
    assert outcome == "already_complete"
    assert invoice_of(tenant, doc)["status"] == "paid"


def test_a_second_part_payment_of_the_same_amount_gets_a_new_checkout(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    """Same invoice + amount + attempt after a *completed* payment reuses the idempotency key, so
    Stripe (for 24 h) answers with the first, already completed session: the client cannot pay."""
    payable = payable_invoice(tenant, allow_partial=True)
    doc = payable["doc"]
    first = start_checkout(anonymous, payable, "40.00")
    completed_checkout(anonymous, stripe_worker, tenant, doc, first, 4000, pi="pi_part1")
    assert invoice_of(tenant, doc)["amount_paid"] == 4000
    assert press_pay(anonymous, payable["page"], "amount_text=40.00").status == 303
    keys = [c["headers"]["Idempotency-Key"] for c in stripe_api.calls]
    assert keys[0] != keys[1]


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
    assert reply.headers["Location"].startswith("https://checkout.stripe.com/"), reply.headers


@pytest.mark.parametrize("currency, total, stripe_amount", [
    ("JPY", 5000, "5000"),  # zero-decimal on both sides
    ("KWD", 10000, "10000"),  # KWD10.000: three decimals on both sides
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
    completed_checkout(anonymous, stripe_worker, tenant, doc, session_id, 5000, currency="isk", pi="pi_isk")
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
    """Stripe's ceiling is 99,999,999 minor units (€999,999.99): say so, do not answer 503."""
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


def test_one_event_delivered_twice_at_once_is_applied_once(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker, outbox: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """SQS delivers at least once: two workers can hold the same Stripe event at the same moment.
    The in-progress record is written with a condition before either applies it, so one applies it
    (one ledger entry, one receipt) and the other is told to come back later."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    from chalicelib.services.payments import stripe_events

    payable = payable_invoice(tenant)
    doc = payable["doc"]
    event = stripe_event("checkout.session.completed", checkout_session(tenant, doc, start_checkout(anonymous, payable), 10000))
    applying = threading.Event()
    slow = stripe_events.HANDLERS["checkout.session.completed"]

    def slow_completion(session: dict[str, Any]) -> str:
        applying.set()
        time.sleep(0.5)  # the second delivery arrives while this one is half-way
        return slow(session)

    monkeypatch.setitem(stripe_events.HANDLERS, "checkout.session.completed", slow_completion)
    outcomes: list[Any] = []

    def deliver() -> None:
        try:
            outcomes.append(stripe_events.process(event))
        except IdempotencyAlreadyInProgressError as e:
            outcomes.append(e)

    first = threading.Thread(target=deliver)
    first.start()
    assert applying.wait(5)
    second = threading.Thread(target=deliver)
    second.start()
    first.join()
    second.join()

    assert isinstance(outcomes[0], IdempotencyAlreadyInProgressError) and outcomes[1] == "payment_recorded", outcomes
    invoice = invoice_of(tenant, doc)
    assert (invoice["status"], invoice["amount_paid"], len(invoice["payments"])) == ("paid", 10000, 1)
    assert len(outbox.to("ada@acme.test")) == 1
    # SQS redelivers the one that was turned away: it is answered from the record, nothing is applied again.
    assert stripe_events.process(event) == "duplicate"
    assert len(invoice_of(tenant, doc)["payments"]) == 1


def test_an_event_whose_handler_failed_is_applied_when_redelivered(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker, outbox: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure removes the in-progress record: the retry applies the event (no false 'duplicate')."""
    from chalicelib.services.payments import stripe_events

    payable = payable_invoice(tenant)
    doc = payable["doc"]
    event = stripe_event("checkout.session.completed", checkout_session(tenant, doc, start_checkout(anonymous, payable), 10000))
    real = stripe_events.HANDLERS["checkout.session.completed"]

    def broken(session: dict[str, Any]) -> str:
        raise ConnectionError("DynamoDB went away")

    monkeypatch.setitem(stripe_events.HANDLERS, "checkout.session.completed", broken)
    with pytest.raises(ConnectionError):
        stripe_events.process(event)
    monkeypatch.setitem(stripe_events.HANDLERS, "checkout.session.completed", real)
    assert stripe_events.process(event) == "payment_recorded"
    assert invoice_of(tenant, doc)["status"] == "paid"
