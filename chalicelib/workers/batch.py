"""SQS batches, handled through Powertools' BatchProcessor with partial batch responses.

Each message of a batch is handled on its own, under its own correlation id (the `correlation_id`
attribute `chalicelib.queues` put on it). The function returns Lambda's partial batch response,
`{"batchItemFailures": [{"itemIdentifier": <messageId>}, ...]}`: SQS deletes the messages that
worked and redelivers only those that failed (after the visibility timeout; after the queue's
maxReceiveCount they are in the DLQ). So a batch size above 1 costs no retries of good messages.
That needs `FunctionResponseTypes: [ReportBatchItemFailures]` on the event source mapping, which
Chalice cannot set: infra/resources.json adds it to each worker's SQS event.

When every message of the batch failed, the first error is raised instead (as Powertools does
by default, but the error itself rather than a wrapper): Lambda retries the whole batch, and the
failure counts in the function's Errors metric and alarm.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from chalicelib import logs, queues

log = logging.getLogger("paydrop.workers")

RecordHandler = Callable[[dict[str, Any]], None]


def handle(event: Any, record_handler: RecordHandler) -> dict[str, Any]:
    """Run `record_handler` on each SQS record (the dict Lambda delivers) of Chalice's SQSEvent
    `event`; returns the partial batch response."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType

    records = list(event.to_dict().get("Records") or [])
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    def one(record: Any) -> None:
        raw: dict[str, Any] = record.raw_event
        invocation = logs.correlation_id()
        logs.set_correlation_id(queues.correlation_of(raw) or invocation or logs.new_correlation_id())
        try:
            record_handler(raw)
        except Exception as e:  # one line per failed message, whichever worker: the rest of the batch goes on
            # The error's class only: messages can name an address (SES) and bodies hold sign-in links.
            log.warning("%s: sqs message %s failed, SQS will retry it: %s", _name_of(record_handler),
                        message_id(raw), type(e).__name__)
            raise
        finally:
            logs.set_correlation_id(invocation)

    with processor(records=records, handler=one, lambda_context=getattr(event, "context", None)):
        processor.process()
    if records and len(processor.exceptions) == len(records):
        raise processor.exceptions[0][1]  # type: ignore[misc]
    return dict(processor.response())


def _name_of(record_handler: RecordHandler) -> str:
    return f"{record_handler.__module__.rsplit('.', 1)[-1]}.{getattr(record_handler, '__name__', '?')}"


def message_id(record: dict[str, Any]) -> str:
    return str(record.get("messageId", "?"))


def why(error: Exception) -> str:
    """The error's class and the start of its message (messages name ids, not payload fields)."""
    message = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
