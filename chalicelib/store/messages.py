"""Conversations and their messages: one item collection per conversation.

| item | pk | sk | gsi1pk / gsi1sk |
|---|---|---|---|
| conversation (client, project, counters) | `CONV#{bid}#{conv}` | `META` | `CONVS#{bid}` / `{last message at}#{conv}` |
| message (text, attachments, seen by) | `CONV#{bid}#{conv}` | `MSG#{iso}#{mid}` | |
| attachment (upload in flight or sent) | `CONV#{bid}#{conv}` | `FILE#{rid}` | |
| email reply seen (by Message-ID, TTL) | `MAILIN#{sha256(message id)}` | `SEEN` | |

A conversation's id is derived from its client and project, so the first message of a
conversation creates it with an upsert and two first messages at once agree on one item. The
team's unread count is `client_messages - staff_read` (both only grow: marking read never loses
a message that arrived meanwhile).
"""
from __future__ import annotations

import hashlib
from typing import Any

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.table import BaseItem, index_page, query_page

REPLY = "mail_reply"  # token purpose: a contact's reply address for one conversation


class Conversation(BaseItem, discriminator="conversation"):
    conversation_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    project_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    last_message_at = UnicodeAttribute(null=True)
    last_preview = UnicodeAttribute(null=True)
    last_side = UnicodeAttribute(null=True)
    last_author = UnicodeAttribute(null=True)
    client_messages = NumberAttribute(default=0)  # messages the client's side wrote, ever
    staff_read = NumberAttribute(default=0)  # of those, how many the team has read


class Attached(MapAttribute[str, Any]):
    resource_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    size = NumberAttribute()
    content_type = UnicodeAttribute()


class Message(BaseItem, discriminator="message"):
    message_id = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    side = UnicodeAttribute()  # client | staff
    author_id = UnicodeAttribute()  # contact id, or staff user id
    author_name = UnicodeAttribute()
    text = UnicodeAttribute()
    via = UnicodeAttribute()  # portal | dashboard | email
    created_at = UnicodeAttribute()
    attachments = ListAttribute(of=Attached, default=list)
    # reader key (`contact:{id}` / `staff:{id}`) → {"name": …, "at": iso}: who of the other side saw it
    seen = MapAttribute[str, Any](default=dict)
    mail_message_id = UnicodeAttribute(null=True)


class AttachmentFile(BaseItem, discriminator="message_file"):
    """A file uploaded for a message of this conversation: the resource that holds it, who
    uploaded it, and the message it went out with (none while it waits to be sent)."""

    resource_id = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    project_id = UnicodeAttribute(null=True)  # the conversation's project, if it is a project's
    side = UnicodeAttribute()
    uploader_id = UnicodeAttribute()
    filename = UnicodeAttribute(null=True)
    size = NumberAttribute(null=True)
    content_type = UnicodeAttribute(null=True)
    s3_key = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="uploading")  # uploading | ready
    message_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


class MailSeen(BaseItem, discriminator="mail_seen"):
    """An email reply already appended (SES or S3 may deliver the same mail twice)."""

    conversation_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


def conversation_id_of(client_id: str, project_id: str | None) -> str:
    """The one conversation of a client (project None) or of one of its projects."""
    return hashlib.sha256(f"{client_id}:{project_id or ''}".encode()).hexdigest()[:24]


def conversation_pk(business_id: str, conversation_id: str) -> str:
    return f"CONV#{business_id}#{conversation_id}"


def inbox_pk(business_id: str) -> str:
    return f"CONVS#{business_id}"


def mail_seen_pk(message_id: str) -> str:
    return f"MAILIN#{hashlib.sha256(message_id.encode()).hexdigest()}"


def get_conversation(business_id: str, conversation_id: str) -> Conversation | None:
    try:
        return Conversation.get(conversation_pk(business_id, conversation_id), "META", consistent_read=True)
    except Conversation.DoesNotExist:
        return None


def get_file(business_id: str, conversation_id: str, resource_id: str) -> AttachmentFile | None:
    try:
        return AttachmentFile.get(conversation_pk(business_id, conversation_id), f"FILE#{resource_id}",
                                  consistent_read=True)
    except AttachmentFile.DoesNotExist:
        return None


def new_file(business_id: str, conversation_id: str, resource_id: str, **fields: Any) -> AttachmentFile:
    return AttachmentFile(conversation_pk(business_id, conversation_id), f"FILE#{resource_id}", resource_id=resource_id,
                          conversation_id=conversation_id, **fields)


def new_message(business_id: str, conversation_id: str, created_at: str, message_id: str, **fields: Any) -> Message:
    return Message(conversation_pk(business_id, conversation_id), f"MSG#{created_at}#{message_id}",
                   message_id=message_id, conversation_id=conversation_id, created_at=created_at, seen={}, **fields)


def message_page(business_id: str, conversation_id: str, limit: int,
                 cursor: str | None) -> tuple[list[Message], str | None]:
    """Newest first: the latest `limit` messages, and a cursor to older ones."""
    return query_page(Message, conversation_pk(business_id, conversation_id), "MSG#", limit, cursor, newest_first=True)


def inbox_page(business_id: str, limit: int, cursor: str | None) -> tuple[list[Conversation], str | None]:
    """The business's conversations, latest message first."""
    return index_page(Conversation, "gsi1", inbox_pk(business_id), limit, cursor, newest_first=True)
