"""The local event pump: long-polls SQS and calls the same handlers Lambda would.

Each `@app.on_sqs_message` handler of the Chalice app is found in `app.event_sources`
and bound to a queue URL. A message is deleted only when its handler returns; when it
raises, the message stays and becomes visible again after `retry_delay` seconds (Lambda
waits for the queue's visibility timeout; locally we shorten the wait). After the
queue's maxReceiveCount, SQS itself moves the message to the dead-letter queue.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("paydrop.pump")


@dataclass(frozen=True)
class Binding:
    queue_url: str
    queue_arn: str
    handler: Callable[[dict[str, Any], Any], Any]
    batch_size: int


class LambdaContext:
    """The parts of Lambda's context object that handlers may read."""

    def __init__(self, function_name: str, timeout_seconds: int = 30) -> None:
        self.function_name = function_name
        self.aws_request_id = str(uuid.uuid4())
        self.memory_limit_in_mb = 256
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def sqs_bindings(app: Any, queue_urls: dict[str, str], sqs: Any) -> list[Binding]:
    """Bind every SQS handler of `app` to the URL of the queue it names."""
    bindings = []
    for source in getattr(app, "event_sources", []):
        if type(source).__name__ != "SQSEventConfig":
            continue
        if source.queue not in queue_urls:
            raise KeyError(f"no local queue for on_sqs_message(queue={source.queue!r}): "
                           "add it to Resources.queue_urls in devstack/provision.py")
        url = queue_urls[source.queue]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        handler = app.handler_map[source.name]
        bindings.append(Binding(url, arn, handler, source.batch_size))
    return bindings


def lambda_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's SQS integration would pass for these messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": queue_arn.split(":")[3],
            }
            for m in messages
        ]
    }


class EventPump:
    """One polling thread per bound queue, until `stop()`."""

    def __init__(self, sqs: Any, bindings: list[Binding], wait_seconds: int = 1, retry_delay: int = 2) -> None:
        self._sqs = sqs
        self._bindings = bindings
        self._wait = wait_seconds
        self._retry_delay = retry_delay
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for binding in self._bindings:
            thread = threading.Thread(target=self._run, args=(binding,), daemon=True, name=f"pump-{binding.queue_arn}")
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self._wait + 5)

    def _run(self, binding: Binding) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once(binding)
            except Exception:
                log.exception("polling %s failed", binding.queue_url)
                self._stop.wait(1)

    def poll_once(self, binding: Binding) -> int:
        """Receive one batch and hand it to the handler; returns how many messages came."""
        response = self._sqs.receive_message(
            QueueUrl=binding.queue_url, MaxNumberOfMessages=binding.batch_size,
            WaitTimeSeconds=self._wait, AttributeNames=["All"], MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        log.debug("polled %s: %d message(s)", binding.queue_url.rsplit("/", 1)[-1], len(messages))
        if messages:
            self._deliver(binding, messages)
        return len(messages)

    def _deliver(self, binding: Binding, messages: list[dict[str, Any]]) -> None:
        event = lambda_event(messages, binding.queue_arn)
        try:
            reply = binding.handler(event, LambdaContext(binding.queue_arn.rsplit(":", 1)[-1]))
        except Exception as e:  # noqa: BLE001 - Lambda's behaviour: the batch stays on the queue
            log.warning("handler failed (%s: %s); message will be retried", type(e).__name__, e)
            for m in messages:
                self._sqs.change_message_visibility(
                    QueueUrl=binding.queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=self._retry_delay
                )
            return
        # Lambda's partial batch response (ReportBatchItemFailures): only the listed messages stay.
        failed = {item.get("itemIdentifier") for item in ((reply or {}).get("batchItemFailures") or [])}
        for m in messages:
            if m["MessageId"] in failed:
                self._sqs.change_message_visibility(
                    QueueUrl=binding.queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=self._retry_delay
                )
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=binding.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )

