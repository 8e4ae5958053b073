"""The previews worker: S3 `ObjectCreated` notifications for `uploads/`, via the `uploads` queue.

Each SQS message body is an S3 event (`{"Records": [...]}`), or the `s3:TestEvent` S3
sends when the notification is configured (skipped). Keys arrive URL-encoded and are
decoded with `unquote_plus`. Only objects of our files bucket under `uploads/` are
handled; `services/previews.make_previews` does the work and one log line per object
says what came of it.

A file that cannot have a preview is an outcome (`failed` with a reason), not an error.
Only infrastructure errors (S3, DynamoDB) and an unreadable message propagate: SQS then
redelivers the message after the visibility timeout, and after 5 receives it is in the DLQ.
"""
from __future__ import annotations

import logging
from typing import Any

from chalicelib.config import settings
from chalicelib.workers.batch import message_id, why
from chalicelib.workers.s3_events import created_objects

log = logging.getLogger("paydrop.workers")
UPLOADS_PREFIX = "uploads/"


def on_upload(record: dict[str, Any]) -> None:
    """Make the previews of every uploaded object one SQS record notifies."""
    from chalicelib.services.delivery.previews import make as previews  # here: `import app` (the API's cold start) never needs it

    mid = message_id(record)
    for bucket, key, version_id in uploaded_objects(str(record["body"]), mid):
        try:
            outcome = previews.make_previews(bucket, key, version_id)
        except Exception as e:
            log.warning("preview of %s (sqs message %s) failed, SQS will retry it: %s", key, mid, why(e))
            raise
        log.info("preview of %s: %s", key, outcome)


def uploaded_objects(body: str, message_id: str = "?") -> list[tuple[str, str, str | None]]:
    """(bucket, decoded key, version id or None) of each object created under `uploads/` of
    our bucket; raises ValueError for a body that is not an S3 notification."""
    return created_objects(body, message_id, settings().files_bucket, UPLOADS_PREFIX)
