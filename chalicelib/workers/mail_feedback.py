"""The mail feedback worker: SES bounce and complaint events, through SNS and the `mail-feedback` queue.

Each SQS message body is the SNS envelope (`Type: Notification`) whose `Message` is the SES
event as a JSON string; with raw message delivery on, the body is the SES event itself. Both
are accepted. Events other than bounces and complaints (SES's subscription test, deliveries)
change nothing. A body that is neither raises: SQS retries it, then the DLQ keeps it.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from chalicelib.services.notifications.suppressions import record_feedback

log = logging.getLogger("paydrop.workers")


def ses_event_of(body: str) -> dict[str, Any]:
    """The SES event in an SQS message body; raises ValueError if there is none."""
    outer = json.loads(body)
    if isinstance(outer, dict) and outer.get("Type") == "Notification" and isinstance(outer.get("Message"), str):
        outer = json.loads(outer["Message"])
    if not isinstance(outer, dict) or not (outer.get("eventType") or outer.get("notificationType")):
        raise ValueError("not an SES event (nor an SNS notification carrying one)")
    return outer


def on_feedback(event: Any) -> None:
    """Suppress the addresses each SES event in the SQS `event` says to."""
    for record in event:
        message_id = record.to_dict().get("messageId", "?")
        try:
            ses_event = ses_event_of(record.body)
            domains = record_feedback(ses_event)
        except Exception as e:
            log.warning("mail feedback (sqs message %s) not applied, SQS will retry it: %s", message_id,
                        type(e).__name__)
            raise
        log.info("mail feedback %s (sqs message %s): %d address(es) suppressed",
                 ses_event.get("eventType") or ses_event.get("notificationType"), message_id, len(domains))
