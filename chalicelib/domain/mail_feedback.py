"""What SES reports about mail we sent, and which reports stop mail to an address.

SES publishes Bounce and Complaint events (configuration-set event publishing: `eventType`;
identity feedback notifications name the same field `notificationType`). Only a permanent
bounce suppresses: a transient one (mailbox full, greylisting) or an undetermined one may
deliver next time. A complaint suppresses, unless the feedback says "not-spam". Pure: the
worker parses JSON and passes the dict in.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BOUNCE, COMPLAINT = "bounce", "complaint"
MAX_DETAIL = 300


@dataclass(frozen=True)
class Suppress:
    email: str
    reason: str  # bounce | complaint
    detail: str | None
    reported_at: str
    ses_message_id: str | None


def _kind(event: dict[str, Any]) -> str:
    return str(event.get("eventType") or event.get("notificationType") or "")


def _addresses(recipients: Any) -> list[dict[str, Any]]:
    if not isinstance(recipients, list):
        return []
    return [r for r in recipients if isinstance(r, dict) and isinstance(r.get("emailAddress"), str)
            and "@" in r["emailAddress"]]


def suppressions(event: dict[str, Any]) -> list[Suppress]:
    """The addresses this SES event says to stop mailing (none for transient bounces, deliveries…).
    Raises ValueError if `event` is a bounce or complaint without the fields SES always sends."""
    kind = _kind(event)
    mail = event.get("mail")
    message_id = mail.get("messageId") if isinstance(mail, dict) and isinstance(mail.get("messageId"), str) else None
    if kind == "Bounce":
        bounce = event.get("bounce")
        if not isinstance(bounce, dict) or not isinstance(bounce.get("timestamp"), str):
            raise ValueError("a Bounce event without its bounce object")
        if bounce.get("bounceType") != "Permanent":
            return []
        return [Suppress(r["emailAddress"].strip().lower(), BOUNCE, _bounce_detail(bounce, r), bounce["timestamp"],
                         message_id) for r in _addresses(bounce.get("bouncedRecipients"))]
    if kind == "Complaint":
        complaint = event.get("complaint")
        if not isinstance(complaint, dict) or not isinstance(complaint.get("timestamp"), str):
            raise ValueError("a Complaint event without its complaint object")
        if complaint.get("complaintFeedbackType") == "not-spam":
            return []
        detail = complaint.get("complaintFeedbackType") or complaint.get("complaintSubType")
        return [Suppress(r["emailAddress"].strip().lower(), COMPLAINT, str(detail)[:MAX_DETAIL] if detail else None,
                         complaint["timestamp"], message_id)
                for r in _addresses(complaint.get("complainedRecipients"))]
    return []


def _bounce_detail(bounce: dict[str, Any], recipient: dict[str, Any]) -> str:
    parts = [str(bounce.get("bounceSubType") or "")]
    if isinstance(recipient.get("diagnosticCode"), str):
        parts.append(recipient["diagnosticCode"])
    return ": ".join(p for p in parts if p)[:MAX_DETAIL]


REASON_WORDS = {BOUNCE: "bounced (the address does not accept mail)", COMPLAINT: "marked as spam by the recipient"}
