"""Transactional email through Amazon SES, sent as raw MIME so we control every header.

Requests `enqueue` mail: it is checked there (a bad header fails the request) and put on
the mail queue, and the mail worker (`chalicelib/workers/mail.py`) `send`s it. So no
request waits for SES, and a request that sends mail answers as fast as one that does not.

Bodies carry one-time sign-in links: they are never logged, and neither are full addresses.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid, parseaddr

from chalicelib import metrics, queues
from chalicelib.aws import ses
from chalicelib.config import settings
from chalicelib.domain.errors import Unavailable, ValidationError

log = logging.getLogger("paydrop.mail")

# A line break (or any control character) in a header value would start a new header: Bcc, etc.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FIELD_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322: printable ASCII except ":"
# Set by `build` itself; an extra header may not replace or duplicate them.
_OWN_HEADERS = {"from", "to", "subject", "date", "message-id", "mime-version", "content-type",
                "content-transfer-encoding", "reply-to"}


@dataclass(frozen=True)
class Email:
    """One message to one recipient; `headers` are extra MIME headers (e.g. List-Unsubscribe)."""

    to: str
    subject: str
    text: str
    html: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    reply_to: str | None = None  # one address (Reply-To), e.g. a conversation's reply address


def _single_line(value: str, name: str) -> None:
    if _CONTROL.search(value):
        raise ValidationError(f"{name} must be a single line of text.", field=name)


def _recipient(to: str, name: str = "to") -> str:
    """The bare address in `to`; raises ValidationError unless it is exactly one address."""
    _single_line(to, name)
    found = getaddresses([to])
    if len(found) != 1 or "@" not in found[0][1]:
        raise ValidationError("Give exactly one recipient address." if name == "to" else f"{name} must be one address.",
                              field=name)
    return found[0][1]


def is_one_address(value: str) -> bool:
    """Whether `value` would pass as `to` or `reply_to` (one address, one line)."""
    try:
        _recipient(value)
    except ValidationError:
        return False
    return True


def build(email: Email) -> EmailMessage:
    """The MIME message for `email`; raises ValidationError for anything that could inject headers."""
    _recipient(email.to)
    if email.reply_to is not None:
        _recipient(email.reply_to, "reply_to")
    _single_line(email.subject, "subject")
    for name, value in email.headers.items():
        if not _FIELD_NAME.fullmatch(name) or name.lower() in _OWN_HEADERS:
            raise ValidationError(f"{name!r} cannot be set as an extra header.", field="headers")
        _single_line(value, "headers")
    sender = settings().mail_from
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    if email.reply_to is not None:
        message["Reply-To"] = email.reply_to
    for name, value in email.headers.items():
        message[name] = value
    message.set_content(email.text)
    if email.html is not None:
        message.add_alternative(email.html, subtype="html")
    return message


def send(email: Email) -> str | None:
    """Send `email` through SES and return SES's MessageId; raises ValidationError or Unavailable.

    None, and nothing sent, when the address is suppressed (it hard-bounced or complained:
    `suppressions.may_send` logs and counts the drop)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib.services.notifications.suppressions import may_send

    message = build(email)
    if not may_send(_recipient(email.to)):
        return None
    # The configuration set publishes this message's bounce or complaint, if any (see infra/README.md).
    config_set = settings().ses_configuration_set
    extra = {"ConfigurationSetName": config_set} if config_set else {}
    try:
        reply = ses().send_raw_email(RawMessage={"Data": message.as_bytes()}, **extra)
    except (ClientError, BotoCoreError) as e:
        raise Unavailable("Email could not be sent right now; try again shortly.") from e
    metrics.count(metrics.EMAILS_SENT)
    domain = _recipient(email.to).rpartition("@")[2]
    log.info("sent mail to *@%s, subject %r, ses id %s", domain, email.subject, reply["MessageId"])
    return str(reply["MessageId"])


def enqueue(email: Email) -> None:
    """Check `email` as `send` would and put it on the mail queue; raises ValidationError or Unavailable.

    Nothing is queued unless the message builds: bad headers fail here, in the request.
    """
    build(email)
    queue_url = settings().mail_queue_url
    if not queue_url:
        log.error("MAIL_QUEUE_URL is not set: mail cannot be queued")
        raise Unavailable("Email could not be sent right now; try again shortly.")
    message_id = queues.send(queue_url, _message(email), "Email could not be sent right now; try again shortly.")
    domain = _recipient(email.to).rpartition("@")[2]
    log.info("queued mail to *@%s, subject %r, sqs id %s", domain, email.subject, message_id)


def _message(email: Email) -> str:
    """The queue message for `email`: its fields as JSON."""
    fields = {"to": email.to, "subject": email.subject, "text": email.text, "html": email.html,
              "headers": dict(email.headers)}
    if email.reply_to is not None:
        fields["reply_to"] = email.reply_to
    return json.dumps(fields)


def email_from_message(body: str) -> Email:
    """The `Email` that `enqueue` queued as `body`; raises ValueError if `body` is not one."""
    fields = json.loads(body)
    if not isinstance(fields, dict):
        raise ValueError("a mail message is a JSON object")
    strings = {name: fields.get(name) for name in ("to", "subject", "text")}
    html, headers, reply_to = fields.get("html"), fields.get("headers") or {}, fields.get("reply_to")
    if (not all(isinstance(value, str) for value in strings.values()) or not isinstance(html, str | None)
            or not isinstance(reply_to, str | None)
            or not isinstance(headers, dict)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())):
        raise ValueError("a mail message has string to, subject and text, optional html and string headers")
    return Email(to=str(strings["to"]), subject=str(strings["subject"]), text=str(strings["text"]), html=html,
                 headers=headers, reply_to=reply_to)
