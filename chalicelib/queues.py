"""Putting messages on the app's SQS queues: the one place that calls `send_message`.

Every message carries the correlation id (`chalicelib.logs`) as the message attribute
`correlation_id`, so the worker that handles it logs under the same id as the request (or
message) that queued it. Outside of one (a script, the scheduler's first step) a new id is made.
tests/test_queues.py fails if `send_message` is called anywhere else.
"""
from __future__ import annotations

from typing import Any

from chalicelib import logs
from chalicelib.aws import sqs
from chalicelib.domain.errors import Unavailable


def send(queue_url: str, body: str, refused: str = "That could not be started right now; try again shortly.",
         delay_seconds: int = 0) -> str:
    """Queue `body` on `queue_url` with the current correlation id; returns SQS's MessageId.
    `delay_seconds` (at most 900, SQS's limit) keeps the message invisible that long (digests).
    Raises Unavailable (503, with `refused` as its words) when SQS refuses or cannot be reached,
    so every caller answers a person, not with a 500."""
    from botocore.exceptions import BotoCoreError, ClientError

    delay = {"DelaySeconds": delay_seconds} if delay_seconds else {}
    try:
        reply: dict[str, Any] = sqs().send_message(
            QueueUrl=queue_url, MessageBody=body, MessageAttributes=correlation_attributes(), **delay)
    except (ClientError, BotoCoreError) as e:
        raise Unavailable(refused) from e
    return str(reply["MessageId"])


def correlation_attributes() -> dict[str, Any]:
    """The SQS message attributes that carry the correlation id."""
    value = logs.correlation_id() or logs.new_correlation_id()
    return {logs.CORRELATION_ATTRIBUTE: {"DataType": "String", "StringValue": value}}


def correlation_of(record: dict[str, Any]) -> str | None:
    """The correlation id an SQS record (as Lambda delivers it) carries, if any."""
    attribute = (record.get("messageAttributes") or {}).get(logs.CORRELATION_ATTRIBUTE) or {}
    value = attribute.get("stringValue") or attribute.get("StringValue")
    return str(value) if value else None
