"""Bounces and complaints: SES → SNS → SQS `mail-feedback` → the worker suppresses the address;
nothing is sent to it again (dropped, logged, counted); staff see it on the contact and can
clear it. Events are the samples under tests/events/ses, wrapped in SNS's envelope."""
from __future__ import annotations

import itertools
import json
import logging
from typing import Any

import pytest

from tests.conftest import QueueWorker
from tests.support.events import event

_serial = itertools.count(1)


def _address() -> str:
    return f"bouncy-{next(_serial)}@mailbox.test"


def _ses(kind: str, address: str) -> dict[str, Any]:
    sample = event(f"ses/{kind}")
    part = "complaint" if kind == "complaint" else "bounce"
    recipients = "complainedRecipients" if kind == "complaint" else "bouncedRecipients"
    sample[part][recipients][0]["emailAddress"] = address
    sample["mail"]["destination"] = [address]
    return sample


def _publish(ses_event: dict[str, Any], raw: bool = False) -> None:
    """What SNS puts on the queue for an SES event (the envelope; `raw`: raw message delivery)."""
    from chalicelib.aws import sqs
    from chalicelib.config import settings

    body = ses_event if raw else event("sns/notification", Message=json.dumps(ses_event))
    sqs().send_message(QueueUrl=settings().mail_feedback_queue_url, MessageBody=json.dumps(body))


def _client_with(tenant: Any, address: str) -> dict[str, Any]:
    reply = tenant.api.post("/api/v1/clients", {"name": "Bouncy Ltd", "contacts": [{"name": "Bo", "email": address}]})
    assert reply.status == 201, reply.body
    return reply.json  # type: ignore[no-any-return]


def _contact(tenant: Any, client_id: str) -> dict[str, Any]:
    [contact] = tenant.api.get(f"/api/v1/clients/{client_id}").json["contacts"]
    return contact  # type: ignore[no-any-return]


def _email_invoice(tenant: Any, client_id: str) -> Any:
    made = tenant.api.post("/api/v1/invoices", {"client_id": client_id, "lines": [{"description": "Work", "unit_price": 500}]})
    return tenant.api.post(f"/api/v1/invoices/{made.json['id']}/email")


def test_a_hard_bounce_suppresses_the_address_and_nothing_is_sent_to_it_again(
        tenant: Any, outbox: Any, mail_feedback_worker: QueueWorker, caplog: pytest.LogCaptureFixture) -> None:
    address = _address()
    client = _client_with(tenant, address)
    assert _contact(tenant, client["client_id"])["email_suppressed"] is False
    _publish(_ses("bounce_permanent", address.upper()))
    assert mail_feedback_worker.drain() == 1
    contact = _contact(tenant, client["client_id"])
    assert contact["email_suppressed"] is True and contact["suppressed_reason"] == "bounce"
    assert contact["suppressed_since"] == "2026-11-30T09:41:02.669Z"
    # Shared by every business with the address: the server's diagnostic and the drop count are not shown.
    assert "suppressed_detail" not in contact and "suppressed_dropped" not in contact
    with caplog.at_level(logging.WARNING, logger="paydrop.mail"):
        assert _email_invoice(tenant, client["client_id"]).status == 200
        assert outbox.to(address) == []
    assert "dropped mail to suppressed *@mailbox.test" in caplog.text and address not in caplog.text


def test_a_transient_bounce_changes_nothing(tenant: Any, outbox: Any, mail_feedback_worker: QueueWorker) -> None:
    address = _address()
    client = _client_with(tenant, address)
    _publish(_ses("bounce_transient", address))
    assert mail_feedback_worker.drain() == 1
    assert _contact(tenant, client["client_id"])["email_suppressed"] is False
    _email_invoice(tenant, client["client_id"])
    assert len(outbox.to(address)) == 1


def test_a_complaint_suppresses_and_raw_delivery_is_read_too(
        tenant: Any, outbox: Any, mail_feedback_worker: QueueWorker) -> None:
    address = _address()
    client = _client_with(tenant, address)
    _publish(_ses("complaint", address), raw=True)
    assert mail_feedback_worker.drain() == 1
    contact = _contact(tenant, client["client_id"])
    assert (contact["email_suppressed"], contact["suppressed_reason"]) == (True, "complaint")
    assert "spam" in contact["suppressed_reason_text"]


def test_an_address_suppressed_for_one_business_is_suppressed_for_every_business(
        make_tenant: Any, outbox: Any, mail_feedback_worker: QueueWorker) -> None:
    address = _address()
    first, second = make_tenant("First"), make_tenant("Second")
    _client_with(first, address)
    other = _client_with(second, address)
    _publish(_ses("bounce_permanent", address))
    mail_feedback_worker.drain()
    assert _contact(second, other["client_id"])["email_suppressed"] is True
    _email_invoice(second, other["client_id"])
    assert outbox.to(address) == []


def test_a_redelivered_report_is_applied_once(tenant: Any, mail_feedback_worker: QueueWorker) -> None:
    address = _address()
    client = _client_with(tenant, address)
    first = _ses("bounce_permanent", address)
    _publish(first)
    later = _ses("bounce_permanent", address)
    later["bounce"]["timestamp"] = "2026-12-01T08:00:00.000Z"
    _publish(first)
    _publish(later)
    assert mail_feedback_worker.drain() == 3
    assert _contact(tenant, client["client_id"])["suppressed_since"] == "2026-11-30T09:41:02.669Z"


def test_staff_clear_a_suppression_and_mail_goes_again(
        tenant: Any, make_tenant: Any, outbox: Any, mail_feedback_worker: QueueWorker) -> None:
    address = _address()
    client = _client_with(tenant, address)
    contact = _contact(tenant, client["client_id"])
    path = f"/api/v1/clients/{client['client_id']}/contacts/{contact['contact_id']}/suppression"
    assert tenant.api.delete(path).status == 404  # nothing to clear yet
    _publish(_ses("bounce_permanent", address))
    mail_feedback_worker.drain()
    stranger = make_tenant("Stranger")
    assert stranger.api.delete(path).status == 404  # not their contact
    cleared = tenant.api.delete(path)
    assert cleared.status == 200 and cleared.json["email_suppressed"] is False
    assert _contact(tenant, client["client_id"])["email_suppressed"] is False
    _email_invoice(tenant, client["client_id"])
    assert len(outbox.to(address)) == 1


def test_a_body_that_is_not_an_ses_event_stays_on_the_queue(
        tenant: Any, mail_feedback_worker: QueueWorker) -> None:
    from chalicelib.aws import sqs
    from chalicelib.config import settings

    sqs().send_message(QueueUrl=settings().mail_feedback_queue_url, MessageBody=json.dumps({"hello": "world"}))
    with pytest.raises(ValueError, match="not an SES event"):
        mail_feedback_worker.drain()
    assert mail_feedback_worker.queued() == 1
    mail_feedback_worker.discard()


def test_deliveries_and_the_subscription_test_change_nothing(mail_feedback_worker: QueueWorker) -> None:
    _publish({"eventType": "Delivery", "mail": {"messageId": "x"}, "delivery": {"recipients": ["a@b.test"]}})
    _publish({"notificationType": "AmazonSnsSubscriptionSucceeded", "message": "You have successfully subscribed"})
    assert mail_feedback_worker.drain() == 2


def test_a_bounce_and_a_complaint_count_as_emails_bounced_a_transient_bounce_does_not(
        mail_feedback_worker: QueueWorker, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.support.metrics import emitted

    emitted(capsys)  # forget what earlier steps counted
    for kind in ("bounce_permanent", "bounce_transient", "complaint"):
        _publish(_ses(kind, _address()))
    assert mail_feedback_worker.drain() == 3
    assert emitted(capsys)["EmailsBounced"] == 2


def test_no_business_can_clear_a_complaint_not_even_for_its_own_contact(
        make_tenant: Any, outbox: Any, mail_feedback_worker: QueueWorker) -> None:
    """B's client complained; A has the same person as a contact. Before, A's 'Email again' cleared
    the suppression for everyone and B mailed the complainer again."""
    address = _address()
    business_a, business_b = make_tenant("A"), make_tenant("B")
    theirs = _client_with(business_b, address)
    ours = _client_with(business_a, address)
    _publish(_ses("complaint", address))
    mail_feedback_worker.drain()
    contact = _contact(business_a, ours["client_id"])
    assert contact["email_suppressed"] is True and contact["suppression_clearable"] is False
    path = f"/api/v1/clients/{ours['client_id']}/contacts/{contact['contact_id']}/suppression"
    refused = business_a.api.delete(path)
    assert refused.status == 409 and "marked an email as spam" in refused.error["message"]
    assert _contact(business_b, theirs["client_id"])["email_suppressed"] is True
    _email_invoice(business_b, theirs["client_id"])
    assert outbox.to(address) == []
