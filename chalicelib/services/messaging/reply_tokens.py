"""Reply addresses: `reply+{token}@{inbound domain}`, one token per contact and conversation.

Each address handed out is a fresh token (lower-case base32 of 32 random bytes: 52 characters,
so the local part stays under SMTP's 64 and survives a mail system that lower-cases it). Only
its SHA-256 is stored, as a token item naming the business, client, contact and conversation.
Whoever holds an address can only ever post as that contact, and only while the contact
exists with the same address: the inbound service checks both on every reply, so removing a
contact (or changing its address) stops its addresses working at once.
"""
from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain.inbound_mail import REPLY_PREFIX
from chalicelib.domain.tokens import looks_like_token
from chalicelib.store import tokens
from chalicelib.store.messages import REPLY
from chalicelib.store.table import iso


@dataclass(frozen=True)
class ReplyTarget:
    business_id: str
    client_id: str
    contact_id: str
    conversation_id: str


def _new_token() -> str:
    return base64.b32encode(secrets.token_bytes(32)).decode().rstrip("=").lower()


def reply_address(business_id: str, client_id: str, contact_id: str, conversation_id: str) -> str:
    """A reply address for this contact in this conversation (for an email's Reply-To)."""
    token = _new_token()
    target = f"{client_id}:{contact_id}:{conversation_id}"
    tokens.new_token_item(token, REPLY, business_id, target, iso(clock.now())).save(
        condition=tokens.Token.pk.does_not_exist())
    return f"{REPLY_PREFIX}{token}@{settings().mail_inbound_domain}"


def reply_address_for_recipient(business_id: str, recipient: str, client_id: str, project_id: str | None) -> str | None:
    """The reply address of a notification's recipient (`contact#{client_id}#{contact_id}`) for the
    conversation of `client_id` (or its project): each contact replies with its own address, so
    an email about a message to several contacts gets one per recipient. None for the team."""
    from chalicelib.store.messages import conversation_id_of

    kind, _, rest = recipient.partition("#")
    recipient_client, _, contact_id = rest.partition("#")
    if kind != "contact" or recipient_client != client_id or not contact_id:
        return None
    return reply_address(business_id, client_id, contact_id, conversation_id_of(client_id, project_id))


def target_of(token: str) -> ReplyTarget | None:
    """Who and where a reply token stands for, or None for a token we never issued."""
    if not looks_like_token(token):
        return None
    item = tokens.find_token(token, REPLY)
    if item is None:
        return None
    client_id, contact_id, conversation_id = [*item.target_id.split(":"), "", "", ""][:3]
    if not (client_id and contact_id and conversation_id):
        return None
    return ReplyTarget(item.business_id, client_id, contact_id, conversation_id)
