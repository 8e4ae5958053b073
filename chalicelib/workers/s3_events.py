"""S3 `ObjectCreated` notifications delivered through SQS (uploads for previews, received mail).

Each SQS body is an S3 event (`{"Records": [...]}`), or the `s3:TestEvent` S3 sends when the
notification is configured (skipped). Keys arrive URL-encoded. Objects outside the expected
prefix are skipped; objects of another bucket are skipped with a warning (a misrouted
notification). A body that is not an S3 event raises ValueError: the batch retries it, then
the DLQ keeps it.
"""
from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import unquote_plus

log = logging.getLogger("paydrop.workers")


def created_objects(body: str, message_id: str, bucket: str, prefix: str) -> list[tuple[str, str, str | None]]:
    """(bucket, decoded key, version id or None) of each object created under `prefix` of `bucket`."""
    payload = json.loads(body)
    if not isinstance(payload, dict):
        raise ValueError("the message is not a JSON object")
    if payload.get("Event") == "s3:TestEvent":
        log.info("s3:TestEvent (sqs message %s) skipped", message_id)
        return []
    records = payload.get("Records")
    if not isinstance(records, list):
        raise ValueError("the message has no S3 event records")
    found = []
    for record in records:
        s3: dict[str, Any] = record.get("s3", {}) if isinstance(record, dict) else {}
        name = str(record.get("eventName", "")) if isinstance(record, dict) else ""
        key = unquote_plus(str(s3.get("object", {}).get("key", "")))
        if not name.startswith("ObjectCreated:") or not key.startswith(prefix):
            log.info("%s of %s (sqs message %s) skipped", name or "event", key or "?", message_id)
            continue
        if (their_bucket := str(s3.get("bucket", {}).get("name", ""))) != bucket:
            log.warning("object %s of another bucket %s (sqs message %s) skipped", key, their_bucket, message_id)
            continue
        found.append((their_bucket, key, s3.get("object", {}).get("versionId") or None))
    return found
