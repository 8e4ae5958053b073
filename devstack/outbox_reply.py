"""The outbox's "Reply": answer an email that has a Reply-To as its recipient would, through the
same inbound path as the cloud.

The reply is a raw MIME message — From the email's recipient, To its Reply-To, the original quoted
below "On … wrote:" as mail clients do — written under `inbound/` of the inbound mail bucket,
exactly where SES's receipt rule stores what it receives. The bucket's S3 notification (moto
delivers it like S3 does) then puts the same SQS message on the `inbound-mail` queue as in the
cloud, and the event pump hands it to `inbound_mail_worker`.
"""
from __future__ import annotations

import html
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING

from chalicelib import clock

if TYPE_CHECKING:
    from devstack.outbox import Sent


def reply_form(sent: Sent) -> str:
    """The form under an email that can be replied to ("" for one without a Reply-To)."""
    if not sent.headers.get("Reply-To") or not sent.headers.get("Message-ID"):
        return ""
    return (f'<form method="post" action="/reply" data-testid="reply-form">'
            f'<input type="hidden" name="message_id" value="{html.escape(sent.headers["Message-ID"])}">'
            f'<label>Reply as {html.escape(", ".join(sent.to))}<br><textarea name="text" rows="3" cols="60" required>'
            f'</textarea></label><br><button type="submit">Reply</button></form>')


def build_reply(sent: Sent, text: str) -> bytes:
    """The raw reply a mail client would send to `sent`."""
    message = EmailMessage()
    message["From"] = sent.to[0]
    message["To"] = sent.headers["Reply-To"]
    subject = sent.subject
    message["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain="outbox.localhost")
    original = sent.headers.get("Message-ID", "")
    if original:
        message["In-Reply-To"] = original
        message["References"] = original
    # What SES writes on a reply it received from the sender's own mail server (the worker trusts
    # a From address only with this verdict).
    domain = sent.to[0].rpartition("@")[2]
    message["Authentication-Results"] = (f"amazonses.com; spf=pass client-ip=127.0.0.1; envelope-from={sent.to[0]}; "
                                         f"dkim=pass header.i=@{domain}; dmarc=pass header.from={domain};")
    message["X-SES-Spam-Verdict"] = "PASS"
    message["X-SES-Virus-Verdict"] = "PASS"
    quoted = "\n".join(f"> {line}" if line else ">" for line in sent.text.splitlines())
    when = sent.headers.get("Date", "earlier")
    message.set_content(f"{text}\n\nOn {when}, {sent.headers.get('From', 'Paydrop')} wrote:\n{quoted}\n")
    return bytes(message)


def store_reply(raw: bytes) -> str:
    """Write `raw` where SES's receipt rule would; returns its key."""
    from chalicelib.aws import s3
    from chalicelib.config import settings

    key = f"inbound/{uuid.uuid4().hex}"
    s3().put_object(Bucket=settings().inbound_mail_bucket, Key=key, Body=raw)
    return key


def reply(messages: list[Sent], message_id: str, text: str) -> str | None:
    """Reply to the sent message with this Message-ID; its stored key, or None when there is none to reply to."""
    sent = next((m for m in messages if m.headers.get("Message-ID") == message_id and m.headers.get("Reply-To")), None)
    if sent is None or not text.strip():
        return None
    return store_reply(build_reply(sent, text.strip()))
