"""Workers take SQS batches and report partial failures: a poison message fails alone, the rest are done."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import BatchItemsFailed


def _queue_mail(*subjects: str) -> None:
    from chalicelib.services.notifications import mail

    for subject in subjects:
        mail.enqueue(mail.Email(to="ada@acme.test", subject=subject, text="Hello."))


def _queue_poison(worker: Any) -> str:
    from chalicelib import queues

    return queues.send(worker.queue_url, "this is not a mail message")


def _not_digest(body: str) -> bool:
    """Not a digest window's delayed send: earlier tests' notices queue those up to 5 minutes
    ahead, and one can surface on the shared queue during this test."""
    return not body.startswith('{"digest"')


def test_a_poison_message_is_the_only_one_reported_failed(outbox: Any, mail_worker: Any) -> None:
    from app import app
    from chalicelib.aws import sqs
    from devstack.pump import LambdaContext, lambda_event

    _queue_mail("First")
    poison = _queue_poison(mail_worker)
    _queue_mail("Third")
    url = mail_worker.queue_url
    arn = sqs().get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    messages = sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])["Messages"]
    assert len([m for m in messages if _not_digest(m["Body"])]) == 3

    reply = app.handler_map["mail_worker"](lambda_event(messages, arn), LambdaContext("mail_worker"))

    for message in messages:  # received here, not by `drain`: leave nothing in flight for the next test
        sqs().delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert reply == {"batchItemFailures": [{"itemIdentifier": poison}]}
    assert sorted(m.subject for m in outbox.to("ada@acme.test")) == ["First", "Third"]


def test_the_queue_keeps_only_the_poison_message_for_retry(outbox: Any, mail_worker: Any) -> None:
    _queue_mail("One", "Two")
    poison = _queue_poison(mail_worker)
    _queue_mail("Four")
    with pytest.raises(BatchItemsFailed) as failed:
        mail_worker.drain(batch_size=10)
    assert failed.value.args[0] == [poison]
    assert mail_worker.waiting() == ["this is not a mail message"]  # SQS redelivers it; after maxReceiveCount, the DLQ
    mail_worker.discard()
    assert sorted(m.subject for m in outbox.to("ada@acme.test")) == ["Four", "One", "Two"]


def test_a_batch_where_every_message_fails_raises_the_error_itself(mail_worker: Any) -> None:
    """Lambda then retries the whole batch, and the failure shows in the function's Errors alarm."""
    _queue_poison(mail_worker)
    _queue_poison(mail_worker)
    with pytest.raises(ValueError):
        mail_worker.drain(batch_size=10)
    assert mail_worker.waiting() == ["this is not a mail message"] * 2
    mail_worker.discard()
