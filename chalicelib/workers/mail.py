"""The mail worker: sends the emails `chalicelib.services.notifications.mail.enqueue` put on the `mail` queue.

Sending happens here, off the request path, so a request that sends mail (a sign-in link
to a known address) answers as fast as one that does not. Messages come in batches
(`chalicelib.workers.batch`): a message SES keeps refusing fails alone, is retried after the
visibility timeout and ends in the dead-letter queue after the queue's maxReceiveCount. Errors
propagate for that; the log line names the SQS message and the error, never the address or the
body (sign-in links).

The same queue carries digest messages (`{"digest": {...}}`, queued with a 5-minute delay by
`digests.schedule`): for those the worker sends the recipient's digest (`digests.send_digest`).
"""
from __future__ import annotations

import logging
from typing import Any

from chalicelib.services.notifications import digests, mail

log = logging.getLogger("paydrop.workers")


def on_mail(record: dict[str, Any]) -> None:
    """Send the email (or the digest) in one SQS record."""
    body = str(record["body"])
    digest = digests.digest_of(body)
    if digest is not None:
        digests.send_digest(*digest)
        return
    mail.send(mail.email_from_message(body))  # a failure is logged by batch.handle
