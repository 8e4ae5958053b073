"""Mail leaves the request path: `enqueue` checks and queues, the mail worker sends, and a
send that fails leaves the message on the queue for SQS to retry (then the DLQ)."""
from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from chalicelib.domain.errors import Unavailable, ValidationError
from chalicelib.services.notifications import mail
from chalicelib.services.notifications.mail import Email, email_from_message, enqueue

LINK = "https://pay.example.test/signin/confirm/one-time-secret-abc"


def _queued_bodies(aws: Any) -> list[dict[str, Any]]:
    """The messages on the mail queue, left there (visible again at once)."""
    from chalicelib.aws import sqs

    messages = sqs().receive_message(QueueUrl=aws.mail_queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                     WaitTimeSeconds=0).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages if not m["Body"].startswith('{"digest"')]  # see QueueWorker.waiting


def test_enqueue_queues_one_message_and_sends_nothing_until_delivered(
        aws: Any, outbox: Any, mail_worker: Any) -> None:
    from devstack.outbox import sent_messages

    enqueue(Email(to="Ada <ada@acme.test>", subject="Your link", text=f"Open {LINK}", html=f'<a href="{LINK}">Open</a>',
                  headers={"List-Unsubscribe": "<https://pay.example.test/u/t>"}))

    assert len(mail_worker.waiting()) == 1
    assert sent_messages() == []
    assert _queued_bodies(aws) == [{"to": "Ada <ada@acme.test>", "subject": "Your link", "text": f"Open {LINK}",
                                    "html": f'<a href="{LINK}">Open</a>',
                                    "headers": {"List-Unsubscribe": "<https://pay.example.test/u/t>"}}]
    assert mail_worker.drain() == 1
    (sent,) = sent_messages()
    assert sent.to == ["ada@acme.test"] and sent.subject == "Your link" and sent.links == [LINK]
    assert sent.html is not None and LINK in sent.html
    assert sent.headers["List-Unsubscribe"] == "<https://pay.example.test/u/t>"
    assert mail_worker.waiting() == []


def test_the_outbox_delivers_queued_mail(outbox: Any) -> None:
    enqueue(Email(to="bob@acme.test", subject="Plain", text="Just text."))
    (sent,) = outbox.to("bob@acme.test")
    assert (sent.text, sent.html) == ("Just text.\n", None)


@pytest.mark.parametrize(
    "email",
    [
        Email(to="ada@acme.test\r\nBcc: eve@evil.test", subject="Hi", text="x"),
        Email(to="ada@acme.test, eve@evil.test", subject="Hi", text="x"),
        Email(to="ada@acme.test", subject="Hi\nBcc: eve@evil.test", text="x"),
        Email(to="ada@acme.test", subject="Hi", text="x", headers={"X-Note": "a\r\nBcc: eve@evil.test"}),
        Email(to="ada@acme.test", subject="Hi", text="x", headers={"From": "ceo@acme.test"}),
    ],
    ids=["to-crlf", "to-two-addresses", "subject-lf", "header-value-crlf", "header-replaces-from"],
)
def test_a_bad_header_is_refused_at_enqueue_and_nothing_is_queued(
        outbox: Any, mail_worker: Any, email: Email) -> None:
    with pytest.raises(ValidationError):
        enqueue(email)
    assert mail_worker.waiting() == []
    assert outbox.messages() == []


def test_a_message_whose_send_fails_stays_queued_and_is_retried(
        aws: Any, outbox: Any, mail_worker: Any, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    from devstack.outbox import sent_messages

    def refused(email: Email) -> str:
        raise Unavailable("Email could not be sent right now; try again shortly.")

    enqueue(Email(to="ada.private@acme.test", subject="Your link", text=f"Open {LINK}"))
    monkeypatch.setattr(mail, "send", refused)
    with caplog.at_level(logging.WARNING, logger="paydrop.workers"), pytest.raises(Unavailable):
        mail_worker.drain()
    assert sent_messages() == []
    assert len(mail_worker.waiting()) == 1  # not deleted: SQS hands it out again (then to the DLQ)
    line = " ".join(r.getMessage() for r in caplog.records if r.name == "paydrop.workers")
    assert "Unavailable" in line and "ada.private" not in line and LINK not in line

    monkeypatch.undo()
    assert mail_worker.drain() == 1  # the retry goes through
    (sent,) = sent_messages()
    assert sent.to == ["ada.private@acme.test"] and sent.links == [LINK]
    assert mail_worker.waiting() == []


def test_a_message_failing_every_time_ends_in_the_dead_letter_queue(
        aws: Any, outbox: Any, mail_worker: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.aws import sqs

    def refused(email: Email) -> str:
        raise Unavailable("no")

    enqueue(Email(to="ada@acme.test", subject="Doomed", text="x"))
    monkeypatch.setattr(mail, "send", refused)
    for _ in range(5):  # the template's maxReceiveCount
        with pytest.raises(Unavailable):
            mail_worker.drain()
    assert mail_worker.drain() == 0
    dead = sqs().receive_message(QueueUrl=aws.mail_dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)["Messages"]
    assert [json.loads(m["Body"])["subject"] for m in dead] == ["Doomed"]
    for message in dead:
        sqs().delete_message(QueueUrl=aws.mail_dlq_url, ReceiptHandle=message["ReceiptHandle"])


def test_email_from_message_round_trips_and_refuses_other_shapes() -> None:
    email = Email(to="ada@acme.test", subject="S", text="T", html="<p>H</p>", headers={"X-A": "b"})
    body = json.dumps({"to": email.to, "subject": email.subject, "text": email.text, "html": email.html,
                       "headers": dict(email.headers)})
    assert email_from_message(body) == email
    for bad in ("[]", '{"to": "a@b.test"}', '{"to": 1, "subject": "s", "text": "t"}',
                '{"to": "a@b.test", "subject": "s", "text": "t", "headers": {"X": 1}}', "not json"):
        with pytest.raises(ValueError):
            email_from_message(bad)


def test_enqueue_without_a_queue_is_unavailable(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.config import reset_settings

    monkeypatch.setenv("MAIL_QUEUE_URL", "")
    reset_settings()
    try:
        with pytest.raises(Unavailable):
            enqueue(Email(to="ada@acme.test", subject="Hi", text="x"))
    finally:
        monkeypatch.undo()
        reset_settings()
