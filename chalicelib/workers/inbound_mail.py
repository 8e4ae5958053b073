"""The inbound mail worker: SES stored a received email under `inbound/` of the inbound mail
bucket; the bucket's `ObjectCreated` notification arrives here through the `inbound-mail` queue.

Each SQS body is an S3 event (`{"Records": [...]}`), or the `s3:TestEvent` S3 sends when the
notification is configured (skipped). Keys arrive URL-encoded. SES's own setup object
(`AMAZON_SES_SETUP_NOTIFICATION`) and anything outside `inbound/` are skipped. A mail that
should not become a message is an outcome (dropped, logged), not an error; only AWS errors and
an unreadable message raise, and SQS retries those (then the DLQ).
"""
from __future__ import annotations

import logging
from typing import Any

from chalicelib.config import settings
from chalicelib.workers.batch import message_id
from chalicelib.workers.s3_events import created_objects

log = logging.getLogger("paydrop.workers")
INBOUND_PREFIX = "inbound/"


def on_mail(record: dict[str, Any]) -> None:
    from chalicelib.services.messaging import inbound

    for bucket, key in received_objects(str(record["body"]), message_id(record)):
        outcome = inbound.receive(bucket, key)
        log.info("inbound mail %s: %s", key, outcome)


def received_objects(body: str, mid: str = "?") -> list[tuple[str, str]]:
    """(bucket, decoded key) of each email stored under `inbound/`; ValueError for a body that is
    not an S3 notification. SES's own setup object is skipped too."""
    found = created_objects(body, mid, settings().inbound_mail_bucket, INBOUND_PREFIX)
    return [(bucket, key) for bucket, key, _ in found if not key.endswith("AMAZON_SES_SETUP_NOTIFICATION")]
