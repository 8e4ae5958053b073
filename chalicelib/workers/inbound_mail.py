"""The inbound mail worker: SES stored a received email under `inbound/` of the inbound mail
bucket; the bucket's `ObjectCreated` notification arrives here through the `inbound-mail` queue.

Each SQS body is an S3 event (`{"Records": [...]}`), or the `s3:TestEvent` S3 sends when the
notification is configured (skipped). Keys arrive URL-encoded. SES's own setup object
(`AMAZON_SES_SETUP_NOTIFICATION`) and anything outside `inbound/` are skipped. A mail that
should not become a message is an outcome (dropped, logged), not an error; only AWS errors and
an unreadable message raise, and SQS retries those (then the DLQ).
"""
from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import unquote_plus

from chalicelib.config import settings
from chalicelib.workers.batch import message_id

log = logging.getLogger("paydrop.workers")
INBOUND_PREFIX = "inbound/"


def on_mail(record: dict[str, Any]) -> None:
    from chalicelib.services.messaging import inbound

    for bucket, key in received_objects(str(record["body"]), message_id(record)):
        outcome = inbound.receive(bucket, key)
        log.info("inbound mail %s: %s", key, outcome)


def received_objects(body: str, mid: str = "?") -> list[tuple[str, str]]:
    """(bucket, decoded key) of each email stored under `inbound/`; ValueError for a body that is
    not an S3 notification."""
    payload = json.loads(body)
    if not isinstance(payload, dict):
        raise ValueError("the message is not a JSON object")
    if payload.get("Event") == "s3:TestEvent":
        log.info("s3:TestEvent (sqs message %s) skipped", mid)
        return []
    records = payload.get("Records")
    if not isinstance(records, list):
        raise ValueError("the message has no S3 event records")
    found = []
    for record in records:
        s3 = record.get("s3", {}) if isinstance(record, dict) else {}
        name = str(record.get("eventName", "")) if isinstance(record, dict) else ""
        key = unquote_plus(str(s3.get("object", {}).get("key", "")))
        if not name.startswith("ObjectCreated:") or not key.startswith(INBOUND_PREFIX) \
                or key.endswith("AMAZON_SES_SETUP_NOTIFICATION"):
            log.info("%s of %s (sqs message %s) skipped", name or "event", key or "?", mid)
            continue
        bucket = str(s3.get("bucket", {}).get("name", ""))
        if bucket != settings().inbound_mail_bucket:
            log.warning("object %s of another bucket %s (sqs message %s) skipped", key, bucket, mid)
            continue
        found.append((bucket, key))
    return found
