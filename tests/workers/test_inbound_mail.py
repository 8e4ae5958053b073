"""Email replies: SES → S3 (`inbound/`) → SQS `inbound-mail` → the worker appends the reply's own
words to the conversation, if the sender is the contact its reply address was given to.
Samples are real mail client shapes (tests/events/ses/*.eml)."""
from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from tests.conftest import Api, QueueWorker
from tests.support.events import event
from tests.support.inbound import raw_mail, store_mail
from tests.support.messaging import Talk, talk


def _texts(t: Talk) -> list[str]:
    return [m["text"] for m in t.view()["messages"]]


@pytest.mark.parametrize(("sample", "expected"), [
    ("reply_gmail", "Thanks — the second draft works for me.\nCan we move the call to Thursday?"),
    ("reply_outlook", "Approved, please go ahead. Café logo stays as it is.\n\nKind regards,\nPat"),
    ("reply_apple", "Looks great."),
])
def test_a_reply_is_appended_without_its_quoted_history(
        sample: str, expected: str, conversation: tuple[Talk, str], worker: QueueWorker) -> None:
    t, reply_to = conversation
    store_mail(raw_mail(sample, "pat@portal.test", reply_to))
    worker.drain()
    assert _texts(t) == ["Second draft attached", expected]
    [message] = t.tenant.api.get(f"/api/v1/conversations/{t.conversation_id()}").json["messages"][1:]
    assert (message["author"], message["via"], message["side"]) == ("Pat", "email", "client")
    assert t.inbox()["unread"] == 1


def test_a_spoofed_sender_is_dropped_with_one_warning(conversation: tuple[Talk, str], worker: QueueWorker,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    t, reply_to = conversation
    with caplog.at_level(logging.INFO, logger="paydrop"):
        store_mail(raw_mail("reply_gmail", "mallory@evil.test", reply_to))
        worker.drain()
    assert _texts(t) == ["Second draft attached"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "not the contact" in warnings[0].getMessage()
    assert "mallory" not in warnings[0].getMessage() and reply_to not in warnings[0].getMessage()


def test_an_unknown_token_or_address_is_dropped(conversation: tuple[Talk, str], worker: QueueWorker,
                                                caplog: pytest.LogCaptureFixture) -> None:
    from chalicelib.config import settings

    t, _ = conversation
    forged = f"reply+{'a' * 52}@{settings().mail_inbound_domain}"
    with caplog.at_level(logging.WARNING, logger="paydrop"):
        store_mail(raw_mail("reply_gmail", "pat@portal.test", forged))
        store_mail(raw_mail("reply_gmail", "pat@portal.test", "someone@elsewhere.test"))
        worker.drain()
    assert _texts(t) == ["Second draft attached"]
    assert [r.getMessage().split(": ", 1)[1] for r in caplog.records if r.levelno == logging.WARNING] == [
        f"unknown reply token {__import__('hashlib').sha256(b'a' * 52).hexdigest()[:12]}",
        "no reply address of ours among the recipients"]


def test_the_same_mail_delivered_twice_is_appended_once(conversation: tuple[Talk, str], worker: QueueWorker) -> None:
    t, reply_to = conversation
    raw = raw_mail("reply_apple", "pat@portal.test", reply_to)
    store_mail(raw)
    store_mail(raw)  # SES may store a message twice; S3 and SQS may deliver twice
    worker.drain()
    assert _texts(t) == ["Second draft attached", "Looks great."]


def test_a_reply_after_the_contact_was_removed_is_dropped(conversation: tuple[Talk, str], worker: QueueWorker) -> None:
    t, reply_to = conversation
    assert t.tenant.api.delete(f"/api/v1/clients/{t.client_id}/contacts/{t.contact_id}").status in (200, 204)
    store_mail(raw_mail("reply_gmail", "pat@portal.test", reply_to))
    worker.drain()
    conversation_id = t.conversation_id()
    texts = [m["text"] for m in t.tenant.api.get(f"/api/v1/conversations/{conversation_id}").json["messages"]]
    assert texts == ["Second draft attached"]


def test_spam_is_dropped(conversation: tuple[Talk, str], worker: QueueWorker) -> None:
    t, reply_to = conversation
    raw = raw_mail("reply_gmail", "pat@portal.test", reply_to).replace(b"X-SES-Spam-Verdict: PASS",
                                                                       b"X-SES-Spam-Verdict: FAIL")
    store_mail(raw)
    worker.drain()
    assert _texts(t) == ["Second draft attached"]


def test_the_sample_notification_names_what_the_worker_reads(conversation: tuple[Talk, str], worker: QueueWorker) -> None:
    """The S3 event SES's stored mail causes (tests/events/ses/inbound_s3_notification.json), put on the queue
    by hand: the same worker path as moto's own notification, and other buckets' objects are skipped."""
    from chalicelib.aws import s3, sqs
    from chalicelib.config import settings

    t, reply_to = conversation
    key = "inbound/sample-object"
    s3().put_object(Bucket=settings().inbound_mail_bucket, Key=key, Body=raw_mail("reply_apple", "pat@portal.test",
                                                                                   reply_to))
    worker.drain()  # moto's own notification of that put
    body = event("ses/inbound_s3_notification")
    body["Records"][0]["s3"]["bucket"]["name"] = "someone-elses-bucket"
    sqs().send_message(QueueUrl=settings().inbound_mail_queue_url, MessageBody=json.dumps(body))
    assert worker.drain() == 1
    assert _texts(t) == ["Second draft attached", "Looks great."]


def test_each_contact_replies_with_its_own_address(tenant: Any, anonymous: Api, worker: QueueWorker) -> None:
    """A client with two contacts: each notification carries that contact's reply address, so the
    second contact's reply is accepted (with one shared address it would fail the sender check)."""
    from chalicelib.store.clients import list_contacts
    from chalicelib.store.notifications import contact_recipient, list_inbox

    t = talk(tenant, anonymous, "Two Voices Ltd", "pat@voices.test")
    assert tenant.api.post(f"/api/v1/clients/{t.client_id}/contacts",
                           {"name": "Quinn", "email": "quinn@voices.test"}).status == 201
    assert tenant.api.post("/api/v1/conversations", {"client_id": t.client_id, "text": "Draft ready"}).status == 201
    addresses = {}
    for contact in list_contacts(tenant.business_id, t.client_id):
        [note], _ = list_inbox(tenant.business_id, contact_recipient(t.client_id, contact.contact_id), 10, None)
        addresses[contact.email] = str(note.reply_to)
    assert len(set(addresses.values())) == 2
    store_mail(raw_mail("reply_apple", "quinn@voices.test", addresses["quinn@voices.test"]))
    worker.drain()
    assert _texts(t)[-1] == "Looks great."
