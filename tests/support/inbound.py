"""Email replies as SES delivers them: a sample raw message (tests/events/ses/*.eml) addressed to
a reply address, stored under `inbound/` of the inbound mail bucket like SES's S3 action does."""
from __future__ import annotations

import itertools
import uuid

from tests.support.events import EVENTS

_serial = itertools.count(1)


def raw_mail(sample: str, sender: str, to: str) -> bytes:
    """Sample `sample` (e.g. "reply_gmail") from `sender` to the reply address `to`, with its own Message-ID
    and SES's verdict that `sender`'s domain sent it (as for a real reply from that address)."""
    text = (EVENTS / "ses" / f"{sample}.eml").read_bytes()
    text = text.replace(b"{{from_domain}}", sender.rpartition("@")[2].encode())
    return (text.replace(b"{{from}}", sender.encode()).replace(b"{{to}}", to.encode())
            .replace(b"{{serial}}", f"{uuid.uuid4().hex[:12]}{next(_serial)}".encode()))


def store_mail(raw: bytes) -> str:
    """Put `raw` where SES's receipt rule puts a received message; S3 notifies the inbound queue."""
    from chalicelib.aws import s3
    from chalicelib.config import settings

    key = f"inbound/{uuid.uuid4().hex}"
    s3().put_object(Bucket=settings().inbound_mail_bucket, Key=key, Body=raw)
    return key
