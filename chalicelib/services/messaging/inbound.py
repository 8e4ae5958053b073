"""Email replies: SES stored a received message in S3; append its new text to the conversation
its reply address names, if it really comes from that contact.

Dropped (one warning line, nothing written) when: no reply address of ours is among the
recipients, the token is unknown, the contact it names no longer exists (removed contacts'
addresses stop working), the From address is not that contact's or SES did not authenticate
its domain (a forged From header), SES judged it spam or a
virus, or nothing is left once the quoted history is stripped. A Message-ID already appended is
acknowledged and skipped (SES, S3 and SQS may each deliver twice). Replies longer than a
message may be are cut at 10,000 characters rather than lost.
"""
from __future__ import annotations

import logging

from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain import inbound_mail
from chalicelib.domain import messages as rules
from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.tokens import token_hash
from chalicelib.services.messaging.conversations import Author, append
from chalicelib.services.messaging.reply_tokens import target_of
from chalicelib.store import messages as store
from chalicelib.store.clients import get_contact

log = logging.getLogger("paydrop.messaging")
MAX_MAIL_BYTES = 40 * 1024 * 1024  # SES's own limit for a received message
APPENDED, DUPLICATE, DROPPED = "appended", "duplicate", "dropped"


def _drop(key: str, why: str) -> str:
    log.warning("email reply %s dropped: %s", key, why)
    return DROPPED


def receive(bucket: str, key: str) -> str:
    """Handle the raw email stored at `bucket`/`key`; returns appended, duplicate or dropped."""
    raw = s3().get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{MAX_MAIL_BYTES - 1}")["Body"].read()
    return receive_raw(raw, key)


def receive_raw(raw: bytes, key: str) -> str:
    reply = inbound_mail.parse(raw)
    token = inbound_mail.token_in(reply.recipients, settings().mail_inbound_domain)
    if token is None:
        return _drop(key, "no reply address of ours among the recipients")
    target = target_of(token)
    ref = token_hash(token)[:12]  # enough to find the token item; never the token itself
    if target is None:
        return _drop(key, f"unknown reply token {ref}")
    contact = get_contact(target.business_id, target.client_id, target.contact_id)
    if contact is None:
        return _drop(key, f"the contact of reply token {ref} no longer exists")
    if not reply.sender or reply.sender != contact.email.lower():
        return _drop(key, f"the sender is not the contact reply token {ref} was given to")
    if not reply.authenticated:  # a forged From: the reply address alone must not let anyone post
        return _drop(key, f"SES did not authenticate the sender's domain (SPF/DKIM/DMARC) for reply token {ref}")
    if reply.spam:
        return _drop(key, "SES judged it spam or a virus")
    conversation = store.get_conversation(target.business_id, target.conversation_id)
    if conversation is None or conversation.client_id != target.client_id:
        return _drop(key, f"the conversation of reply token {ref} does not exist")
    message_id = reply.message_id or f"s3:{key}"
    if store.MailSeen.count(store.mail_seen_pk(message_id), limit=1):
        log.info("email reply %s already appended (same Message-ID)", key)
        return DUPLICATE
    if not rules.is_visible(reply.text):
        return _drop(key, "no new text once the quoted history was stripped")
    text = reply.text if len(reply.text) <= rules.MAX_TEXT else reply.text[: rules.MAX_TEXT - 1] + "…"
    try:
        append(target.business_id, target.client_id, conversation.project_id,
               Author(rules.CLIENT, contact.contact_id, contact.name or contact.email), text, "email",
               mail_message_id=message_id)
    except Conflict:
        log.info("email reply %s already appended (delivered twice at once)", key)
        return DUPLICATE
    except ValidationError as e:  # nothing a retry would change (e.g. only control characters): not an error
        return _drop(key, f"not a message once cleaned: {e.message}")
    log.info("email reply %s appended to conversation %s", key, target.conversation_id)
    return APPENDED
