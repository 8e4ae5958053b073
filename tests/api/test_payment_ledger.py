"""The payment ledger through Stripe's events: refunds (each refund rule), disputes and inquiries, payments
that cannot be applied (wrong currency, cancelled invoice) and manual payments racing Stripe — what each does
to the invoice's balance and to files gated on payment."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, QueueWorker, local_path
from tests.support.client_flows import attach
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
    assert "Refunded €70.00" in anonymous.get(payable["page"]).text


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



def test_an_unapplied_wrong_currency_payment_does_not_cancel_out_a_real_payment(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    """An `unapplied` entry (kept for staff review) must contribute nothing to amount paid."""
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    first = start_checkout(anonymous, payable)
    completed_checkout(anonymous, stripe_worker, tenant, doc, first, 10000, currency="usd", pi="pi_usd")
    assert [p["kind"] for p in invoice_of(tenant, doc)["payments"]] == ["unapplied"]
    second = start_checkout(anonymous, payable)
    completed_checkout(anonymous, stripe_worker, tenant, doc, second, 10000, pi="pi_eur")
    invoice = invoice_of(tenant, doc)
    assert (invoice["status"], invoice["amount_paid"]) == ("paid", 10000)
    assert grant_state_of(tenant, doc) == "available"


def test_refunding_an_unapplied_payment_leaves_the_invoice_paid(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    """Staff refund the wrong-currency payment: the EUR payment that settled the invoice stands."""
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    completed_checkout(anonymous, stripe_worker, tenant, doc, start_checkout(anonymous, payable), 10000, pi="pi_eur2")
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
    completed_checkout(anonymous, stripe_worker, tenant, doc, session_id, 10000, pi="pi_late")
    invoice = invoice_of(tenant, doc)
    assert invoice["status"] == "cancelled"
    assert grant_state_of(tenant, doc) == "locked"
    assert invoice["amount_paid"] == 0
    assert [(p["kind"], p["amount"]) for p in invoice["payments"]] == [("unapplied", 10000)], invoice["payments"]


def test_manual_payment_racing_a_stripe_completion_shows_the_overpayment(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, stripe_worker: QueueWorker) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    session_id = start_checkout(anonymous, payable)
    assert tenant.api.post(f"/api/v1/invoices/{doc['id']}/payments", {}).status in (200, 201)
    completed_checkout(anonymous, stripe_worker, tenant, doc, session_id, 10000, pi="pi_race")
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
    completed_checkout(anonymous, stripe_worker, tenant, doc, start_checkout(anonymous, payable), 10000, pi="pi_pr")
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
    completed_checkout(anonymous, stripe_worker, tenant, doc, start_checkout(anonymous, payable), 10000, pi="pi_inq")
    post_event(anonymous, stripe_event("charge.dispute.created", {
        "id": "dp_inq", "payment_intent": "pi_inq", "amount": 10000, "currency": "eur",
        "status": "warning_needs_response"}))
    stripe_worker.drain()
    invoice = invoice_of(tenant, doc)
    assert (invoice["status"], invoice["amount_paid"], invoice["balance"]) == ("paid", 10000, 0)
    assert grant_state_of(tenant, doc) == "available"  # the file stays with the client
