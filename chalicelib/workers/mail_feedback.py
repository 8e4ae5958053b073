"""The mail feedback worker: SES bounce and complaint events, through SNS and the `mail-feedback` queue.

Each SQS message body is the SNS envelope (`Type: Notification`) whose `Message` is the SES
event as a JSON string; with raw message delivery on, the body is the SES event itself. Both
are accepted. Events other than bounces and complaints (SES's subscription test, deliveries)
change nothing. A body that is neither raises: that message alone is retried (partial batch response), then
the DLQ keeps it.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from chalicelib.services.notifications.suppressions import record_feedback
from chalicelib.workers.batch import message_id

log = logging.getLogger("paydrop.workers")


def ses_event_of(body: str) -> dict[str, Any]:
    """The SES event in an SQS message body; raises ValueError if there is none."""
    outer = json.loads(body)
    if isinstance(outer, dict) and outer.get("Type") == "Notification" and isinstance(outer.get("Message"), str):
        outer = json.loads(outer["Message"])
    if not isinstance(outer, dict) or not (outer.get("eventType") or outer.get("notificationType")):
        raise ValueError("not an SES event (nor an SNS notification carrying one)")
    return outer


def on_feedback(record: dict[str, Any]) -> None:
    """Suppress the addresses the SES event in one SQS record says to (`batch.handle` runs it per record)."""
    ses_event = ses_event_of(str(record["body"]))  # a failure is logged by batch.handle
    domains = record_feedback(ses_event)
    log.info("mail feedback %s (sqs message %s): %d address(es) suppressed",
             ses_event.get("eventType") or ses_event.get("notificationType"), message_id(record), len(domains))
