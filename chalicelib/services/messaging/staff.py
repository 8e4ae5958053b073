"""The team's side: one inbox across every client (latest first, with unread counts), a
conversation's messages, answering, and marking a conversation read.

Unread is the team's: `client_messages - staff_read` on the conversation, where marking read
raises `staff_read` to what the reader saw (never lowers it: a message arriving meanwhile stays
unread). "Seen by" is per person: each staff member who opens it is recorded on the messages.
"""
from __future__ import annotations

from contextlib import suppress
from typing import Any

from chalicelib import clock
from chalicelib.domain import messages as rules
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.messaging_inputs import AttachmentSpec, StaffMessage
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts.clients import get_client
from chalicelib.services.messaging import attachments
from chalicelib.services.messaging.conversations import (
    NOT_FOUND,
    PAGE,
    Author,
    append,
    mark_seen,
    message_view,
    project_of,
)
from chalicelib.store import messages as store
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import conditional

SENDS_PER_MINUTE = 120  # per business: a team answering fast, not a script flooding clients


def author_of(principal: Principal) -> Author:
    return Author(rules.STAFF, principal.user_id, principal.email)


def unread(c: store.Conversation) -> int:
    return max(0, int(c.client_messages or 0) - int(c.staff_read or 0))


def summary(c: store.Conversation) -> dict[str, Any]:
    return {"id": c.conversation_id, "client_id": c.client_id, "project_id": c.project_id,
            "last_message_at": c.last_message_at, "last_preview": c.last_preview, "last_side": c.last_side,
            "last_author": c.last_author, "unread": unread(c)}


def inbox(principal: Principal, limit: int, cursor: str | None) -> dict[str, Any]:
    found, next_cursor = store.inbox_page(principal.business_id, limit, cursor)
    items = [summary(c) for c in found]
    return {"items": items, "next_cursor": next_cursor, "unread": sum(i["unread"] for i in items),
            "unread_conversations": sum(1 for i in items if i["unread"])}


def get_conversation(principal: Principal, conversation_id: str) -> store.Conversation:
    found = store.get_conversation(principal.business_id, conversation_id)
    if found is None:
        raise NotFound(NOT_FOUND, field="conversation_id")
    return found


def conversation(principal: Principal, conversation_id: str, cursor: str | None) -> dict[str, Any]:
    c = get_conversation(principal, conversation_id)
    found, next_cursor = store.message_page(principal.business_id, conversation_id, PAGE, cursor)
    previews = attachments.previews_of(principal.business_id, [a.resource_id for m in found for a in m.attachments or []])

    def file_url(resource_id: str) -> str:
        return attachments.download_url(principal.business_id, conversation_id, resource_id)

    messages = [message_view(m, rules.STAFF, file_url) for m in reversed(found)]
    for m in messages:
        for a in m["attachments"]:
            a["preview_url"] = previews.get(a["id"])
    return {**summary(c), "messages": messages, "next_cursor": next_cursor}


def _limit(principal: Principal) -> None:
    hit(f"msg-staff#{principal.business_id}", SENDS_PER_MINUTE, 60, clock.now(),
        "Too many messages at once. Wait a minute and send again.")


def start(principal: Principal, client_id: str, project_id: str | None, data: StaffMessage) -> store.Message:
    """The team writes first (or again) to a client's conversation, or a project's."""
    get_client(principal, client_id)
    project_of(principal.business_id, client_id, project_id)
    _limit(principal)
    return append(principal.business_id, client_id, project_id, author_of(principal), data.text, "dashboard",
                  list(data.attachments))


def reply(principal: Principal, conversation_id: str, data: StaffMessage) -> store.Message:
    c = get_conversation(principal, conversation_id)
    _limit(principal)
    return append(principal.business_id, c.client_id, c.project_id, author_of(principal), data.text, "dashboard",
                  list(data.attachments))


def mark_read(principal: Principal, conversation_id: str) -> dict[str, Any]:
    """The team has read the conversation: unread goes to 0 and the reader is in "seen by"."""
    c = get_conversation(principal, conversation_id)
    found, _ = store.message_page(principal.business_id, conversation_id, PAGE, None)
    mark_seen(found, author_of(principal))
    total = int(c.client_messages or 0)
    if int(c.staff_read or 0) < total:
        cls = store.Conversation
        with suppress(Conflict):  # another reader got further meanwhile: theirs stands
            conditional(lambda: c.update(actions=[cls.staff_read.set(total)],
                                         condition=cls.staff_read.does_not_exist() | (cls.staff_read < total)),
                        "read")
    c.staff_read = max(int(c.staff_read or 0), total)
    return summary(c)


def start_attachment(principal: Principal, conversation_id: str, spec: AttachmentSpec) -> dict[str, Any]:
    c = get_conversation(principal, conversation_id)
    resource_id, plan = attachments.start(principal.business_id, conversation_id, author_of(principal), spec,
                                          project_id=c.project_id)
    return {"attachment_id": resource_id, "upload": plan}


def confirm_attachment(principal: Principal, conversation_id: str, attachment_id: str) -> dict[str, Any]:
    get_conversation(principal, conversation_id)
    item = attachments.confirm(principal.business_id, conversation_id, author_of(principal), attachment_id)
    return {"attachment_id": attachment_id, "filename": item.filename, "size": int(item.size or 0),
            "content_type": item.content_type}
