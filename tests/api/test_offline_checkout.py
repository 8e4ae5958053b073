"""The offline checkout (no Stripe key, local only): it pays through the real webhook path, declines
charge nothing, it does not exist in the cloud and its ids cannot reach another business."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.conftest import Api, QueueWorker, local_path
from tests.support.client_flows import FORM, JSON
from tests.support.payments import (
    grant_state_of,
    invoice_of,
    payable_invoice,
    press_pay,
)

pytestmark = pytest.mark.usefixtures("one_test_per_ip")





def test_the_offline_checkout_pays_through_the_real_webhook_path(
        tenant: Any, anonymous: Api, offline_webhook: list[int], stripe_worker: QueueWorker, outbox: Any) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    location = press_pay(anonymous, payable["page"]).headers["Location"]
    checkout_page = anonymous.get(local_path(location))
    assert "Test mode" in checkout_page.text and "€100.00" in checkout_page.text
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


def test_in_the_cloud_without_a_key_there_is_no_offline_checkout(
        tenant: Any, anonymous: Api, offline_webhook: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.config import settings
    from chalicelib.services.payments import checkout, offline_checkout, stripe_gateway

    payable = payable_invoice(tenant)
    location = press_pay(anonymous, payable["page"]).headers["Location"]  # made locally
    # The cloud as deploy.sh leaves a stage without a Stripe key: not local, Stripe not configured.
    cloud = replace(settings(), aws_endpoint_url="", stripe_configured=False)
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
