"""Outbound webhooks: event types, the signature (as Stripe signs), the retry schedule, endpoint URLs.

Pure rules: moments are passed in, nothing here resolves names or sends anything
(services/developer does, with these rules).
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.links import check_external_url, is_global_ip

EVENT_TYPES = (
    "invoice.sent", "invoice.paid", "payment.refunded", "grant.released", "grant.revoked",
    "resource.downloaded", "quote.approved", "subscription.updated", "message.created",
)
SIGNATURE_HEADER = "Paydrop-Signature"
SECRET_PREFIX = "whsec_"
# A receiver refuses a signature older than this (replays of a captured delivery).
TOLERANCE_SECONDS = 300
# Retries: 1 min, doubling, at most 6 h apart, for 3 days after the first attempt; then failed.
FIRST_RETRY_SECONDS = 60
LONGEST_WAIT_SECONDS = 6 * 3600
GIVE_UP_AFTER = timedelta(days=3)
# SQS delays a message at most this long; longer waits are chained (re-sent until due).
SQS_MAX_DELAY = 900
RESPONSE_EXCERPT_BYTES = 1024
TIMEOUT_SECONDS = 10


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "{timestamp}.{body}" under `secret`."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secrets_in_use: Iterable[str], timestamp: int, body: bytes) -> str:
    """`t=<unix>,v1=<hex>[,v1=<hex>]`: one v1 per secret (two while a rotated secret is still honoured)."""
    return ",".join([f"t={timestamp}", *(f"v1={signature(s, timestamp, body)}" for s in secrets_in_use)])


def verify(header: str, body: bytes, secret: str, now: datetime, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does: a v1 matches the body under `secret`, and `t` is recent (no replays)."""
    parts = [p.partition("=") for p in header.split(",")]
    stamps = [v for k, _, v in parts if k.strip() == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    timestamp = int(stamps[0])
    if abs(now.timestamp() - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, v.strip()) for k, _, v in parts if k.strip() == "v1")


def retry_delay(failures: int) -> int:
    """Seconds to wait after the `failures`-th failed attempt in a row (1, 2, …)."""
    return min(FIRST_RETRY_SECONDS * 2 ** min(max(failures - 1, 0), 20), LONGEST_WAIT_SECONDS)


def next_attempt_at(window_start: datetime, failures: int, now: datetime) -> datetime | None:
    """When to try again after `failures` failures, or None once that would be past the 3 days."""
    due = now + timedelta(seconds=retry_delay(failures))
    return None if due - window_start > GIVE_UP_AFTER else due


def sqs_delay(due: datetime, now: datetime) -> int:
    """The DelaySeconds of the next hop towards `due` (chained when more than 15 minutes away)."""
    return max(0, min(SQS_MAX_DELAY, int((due - now).total_seconds() + 0.999)))


def check_events(events: Iterable[str]) -> list[str]:
    chosen = sorted(set(events))
    unknown = [e for e in chosen if e not in EVENT_TYPES]
    if unknown or not chosen:
        raise ValidationError("Choose events from: " + ", ".join(EVENT_TYPES) + ".", field="events")
    return chosen


def check_endpoint_url(url: str, dev_receiver: str = "") -> str:
    """An https URL to a public host (the check external links get), or exactly the local
    stack's own receiver when the dev setting names it. Raises ValidationError(field="url")."""
    if dev_receiver and url == dev_receiver:
        return url
    return check_external_url(url)


def is_public_address(address: str) -> bool:
    """A resolved address a delivery may connect to: globally routable, not multicast."""
    return is_global_ip(ipaddress.ip_address(address.split("%", 1)[0]))
