"""Business metrics (EMF, namespace Paydrop) counted at the moment things happen to a user."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, QueueWorker, local_path
from tests.support.client_flows import attach
from tests.support.metrics import emitted
from tests.support.payments import checkout_session, post_event, start_checkout, stripe_event

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def test_a_paid_invoice_counts_its_payment_release_receipt_and_downloads(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker, outbox: Any,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True}).status == 200
    doc = tenant.invoice()
    grant = attach(tenant, tenant.file(), "invoice", doc["id"], "after_payment")["grants"][0]
    download = local_path(grant["download_url"])
    page = local_path(tenant.share(doc["id"]))
    emitted(capsys)  # forget what setting up counted

    assert anonymous.get(download).status == 403  # before payment
    assert emitted(capsys) == {"DownloadsDenied": 1}

    session_id = start_checkout(anonymous, {"page": page})
    post_event(anonymous, stripe_event("checkout.session.completed", checkout_session(tenant, doc, session_id, 10000)))
    assert stripe_worker.drain() == 1
    assert emitted(capsys) == {"PaymentsApplied": 1, "GrantsReleased": 1}
    assert len(outbox.to("ada@acme.test")) == 1  # the receipt, sent by the mail worker
    assert emitted(capsys) == {"EmailsSent": 1}

    assert anonymous.get(download).status == 302
    assert emitted(capsys) == {"DownloadsAllowed": 1}

    reply = tenant.api.post(f"/api/v1/invoices/{doc['id']}/grants/{grant['grant_id']}/revoke")
    assert reply.status == 200, reply.body
    assert anonymous.get(download).status == 403
    assert emitted(capsys) == {"GrantsRevoked": 1, "DownloadsDenied": 1}


def test_a_redelivered_payment_counts_nothing_twice(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker, outbox: Any,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True}).status == 200
    doc = tenant.invoice()
    session_id = start_checkout(anonymous, {"page": local_path(tenant.share(doc["id"]))})
    event = stripe_event("checkout.session.completed", checkout_session(tenant, doc, session_id, 10000))
    post_event(anonymous, event)
    stripe_worker.drain()
    emitted(capsys)
    post_event(anonymous, event)
    post_event(anonymous, {**event, "id": "evt_same_payment_again"})
    assert stripe_worker.drain() == 2
    assert emitted(capsys) == {}


def test_a_manual_payment_counts_as_applied(tenant: Any, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tenant.invoice(lines=[{"description": "Work", "unit_price": 10000}])
    emitted(capsys)
    assert tenant.api.post(f"/api/v1/invoices/{doc['id']}/payments", {"amount": 4000}).status in (200, 201)
    assert emitted(capsys) == {"PaymentsApplied": 1}
