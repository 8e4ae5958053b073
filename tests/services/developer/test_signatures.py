"""Signatures as Stripe makes them: `Paydrop-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`."""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta

from chalicelib.domain.webhooks import new_secret, signature_header, verify

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BODY = b'{"id":"evt_1","type":"invoice.paid","created":1796126400,"data":{"invoice_id":"abc"}}'


def test_the_header_is_a_timestamp_and_the_hmac_of_timestamp_dot_body() -> None:
    secret = new_secret()
    stamp = int(NOW.timestamp())
    header = signature_header([secret], stamp, BODY)
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header)
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={stamp},v1={expected}"


def test_a_receiver_accepts_the_body_it_was_sent_and_nothing_else() -> None:
    secret = new_secret()
    header = signature_header([secret], int(NOW.timestamp()), BODY)
    assert verify(header, BODY, secret, NOW)
    assert not verify(header, BODY.replace(b"abc", b"abd"), secret, NOW)
    assert not verify(header, BODY, new_secret(), NOW)
    assert not verify("v1=" + header.split("v1=")[1], BODY, secret, NOW)  # no timestamp
    assert not verify("garbage", BODY, secret, NOW)


def test_a_replayed_delivery_older_than_five_minutes_is_refused() -> None:
    secret = new_secret()
    header = signature_header([secret], int(NOW.timestamp()), BODY)
    assert verify(header, BODY, secret, NOW + timedelta(minutes=4))
    assert not verify(header, BODY, secret, NOW + timedelta(minutes=6))


def test_during_a_rotation_either_secret_verifies() -> None:
    old, new = new_secret(), new_secret()
    header = signature_header([new, old], int(NOW.timestamp()), BODY)
    assert header.count("v1=") == 2
    assert verify(header, BODY, old, NOW) and verify(header, BODY, new, NOW)
