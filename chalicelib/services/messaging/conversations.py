"""A conversation between a client and the team: appending messages, who saw them, and the
views both sides read. The portal, the dashboard and email replies all append through `append`.

Appending is one transaction: the message, the conversation's summary (created on the first
message: the id is derived from client and project, so two first messages agree on one item),
the attachments it takes (each can go out with one message only) and, for an email reply, its
Message-ID (so a mail delivered twice is appended once). Then the other side is told through
`activity.record`, which puts it in their notification lists and emails.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib import clock
from chalicelib.domain import messages as rules
from chalicelib.domain.errors import Conflict, NotFound, ValidationError
from chalicelib.domain.tokens import new_id
from chalicelib.services.developer import events, payloads
from chalicelib.services.notifications import activity
from chalicelib.store import messages as store
from chalicelib.store.businesses import get_business
from chalicelib.store.notifications import STAFF, contact_recipient
from chalicelib.store.projects import get_project
from chalicelib.store.table import conditional, iso, transaction

PAGE = 50
NOT_FOUND = "Conversation not found."
_MAIL_SEEN_KEPT = timedelta(days=30)  # SES redelivers within minutes; a month is generous


@dataclass(frozen=True)
class Author:
    side: str  # rules.CLIENT | rules.STAFF
    author_id: str  # contact id or staff user id
    name: str

    @property
    def reader_key(self) -> str:
        return f"{'contact' if self.side == rules.CLIENT else 'staff'}:{self.author_id}"


def project_of(business_id: str, client_id: str, project_id: str | None) -> Any:
    """The project (None for the client's own conversation); another client's project is 404."""
    if project_id is None:
        return None
    project = get_project(business_id, project_id)
    if project is None or project.client_id != client_id:
        raise NotFound("Project not found.", field="project_id")
    return project


def _files(business_id: str, conversation_id: str, author: Author, ids: list[str]) -> list[store.AttachmentFile]:
    if len(set(ids)) > rules.MAX_ATTACHMENTS:
        raise ValidationError(f"Attach at most {rules.MAX_ATTACHMENTS} files to one message.", field="attachments")
    found = []
    for resource_id in dict.fromkeys(ids):
        item = store.get_file(business_id, conversation_id, resource_id)
        if item is None or item.uploader_id != author.author_id or item.side != author.side:
            raise NotFound("Attachment not found.", field="attachments")
        if item.status != "ready" or item.message_id:
            raise Conflict("That attachment is not uploaded yet, or was already sent.")
        found.append(item)
    return found


def append(business_id: str, client_id: str, project_id: str | None, author: Author, text: str, via: str,
           attachment_ids: list[str] | None = None, mail_message_id: str | None = None) -> store.Message:
    """Add a message to the client's (or project's) conversation and tell the other side."""
    conversation_id = store.conversation_id_of(client_id, project_id)
    files = _files(business_id, conversation_id, author, attachment_ids or [])
    text = rules.clean_text(text, len(files))
    now = iso(clock.now())
    message = store.new_message(
        business_id, conversation_id, now, new_id(), side=author.side, author_id=author.author_id,
        author_name=author.name, text=text, via=via, mail_message_id=mail_message_id,
        attachments=[store.Attached(resource_id=f.resource_id, filename=f.filename, size=f.size,
                                    content_type=f.content_type) for f in files])
    with transaction() as tx:
        tx.save(message, condition=store.Message.pk.does_not_exist())
        tx.update(store.Conversation(store.conversation_pk(business_id, conversation_id), "META"),
                  actions=_summary(business_id, client_id, project_id, conversation_id, message, len(files)))
        for f in files:
            tx.update(f, actions=[store.AttachmentFile.message_id.set(message.message_id)],
                      condition=store.AttachmentFile.message_id.does_not_exist())
        if mail_message_id:
            tx.save(store.MailSeen(store.mail_seen_pk(mail_message_id), "SEEN", conversation_id=conversation_id,
                                   created_at=now, expires_at=clock.now() + _MAIL_SEEN_KEPT),
                    condition=store.MailSeen.pk.does_not_exist())
    _tell(business_id, client_id, project_id, conversation_id, message)
    events.emit(business_id, "message.created", payloads.message(message, client_id, project_id))
    return message


def _summary(business_id: str, client_id: str, project_id: str | None, conversation_id: str,
             message: store.Message, files: int) -> list[Any]:
    c, now = store.Conversation, message.created_at
    actions: list[Any] = [
        c.item_type.set(c), c.conversation_id.set(conversation_id), c.business_id.set(business_id),
        c.client_id.set(client_id), c.created_at.set(c.created_at | now), c.updated_at.set(now),
        c.last_message_at.set(now), c.last_preview.set(rules.preview(message.text, files)),
        c.last_side.set(message.side), c.last_author.set(message.author_name),
        c.gsi1pk.set(store.inbox_pk(business_id)), c.gsi1sk.set(f"{now}#{conversation_id}"),
    ]
    if project_id:
        actions.append(c.project_id.set(project_id))
    if message.side == rules.CLIENT:
        actions.append(c.client_messages.add(1))
    return actions


def paths(conversation_id: str, project_id: str | None) -> tuple[str, str]:
    """Where a notification leads: the portal path (under the contact's portal) and the dashboard's."""
    portal_path = f"projects/{project_id}/messages" if project_id else "messages"
    return portal_path, f"/app/#/inbox/{conversation_id}"


def _tell(business_id: str, client_id: str, project_id: str | None, conversation_id: str,
          message: store.Message) -> None:
    from chalicelib.services.messaging.reply_tokens import reply_address_for_recipient

    portal_path, staff_path = paths(conversation_id, project_id)
    text = message.text[:1000] or rules.preview("", len(message.attachments))
    if message.side == rules.CLIENT:
        activity.record(activity.Activity(
            business_id, client_id, "messages", activity.STAFF, f"New message from {message.author_name}", text=text,
            portal_path=portal_path, staff_path=staff_path, project_id=project_id,
            actor=contact_recipient(client_id, message.author_id)))
        return
    business = get_business(business_id)
    activity.record(activity.Activity(
        business_id, client_id, "messages", activity.CLIENT,
        f"New message from {business.name if business else message.author_name}", text=text,
        portal_path=portal_path, staff_path=staff_path, project_id=project_id, actor=STAFF,
        # each contact gets its own reply address: the inbound worker accepts a reply only from the contact it names
        reply_to_for=lambda recipient: reply_address_for_recipient(business_id, recipient, client_id, project_id)))


# --- seen by ------------------------------------------------------------------------------


def mark_seen(messages: list[store.Message], reader: Author) -> int:
    """Record that `reader` has seen these messages of the other side (first sight only);
    returns how many were new to them."""
    now, marked = iso(clock.now()), 0
    for m in messages:
        if m.side == reader.side or reader.reader_key in seen_of(m):
            continue
        path = store.Message.seen[reader.reader_key]  # type: ignore[index]
        try:
            conditional(lambda m=m, path=path: m.update(  # type: ignore[misc]
                actions=[path.set({"name": reader.name, "at": now})],
                condition=store.Message.pk.exists() & path.does_not_exist()), "seen")
        except Conflict:
            continue  # seen from another tab meanwhile: the first sighting stands
        marked += 1
    return marked


def seen_of(m: store.Message) -> dict[str, dict[str, Any]]:
    """reader key → {"name", "at"} (PynamoDB hands a raw map back as a MapAttribute)."""
    raw = m.seen.as_dict() if hasattr(m.seen, "as_dict") else dict(m.seen or {})
    return {k: (v.as_dict() if hasattr(v, "as_dict") else dict(v)) for k, v in raw.items()}


def message_view(m: store.Message, viewer: str, file_url: Any = None) -> dict[str, Any]:
    """A message as either side reads it; `file_url(resource_id)` links its attachments."""
    seen = sorted(((str(v.get("name", "")), str(v.get("at", ""))) for v in seen_of(m).values()), key=lambda s: s[1])
    return {
        "id": m.message_id, "side": m.side, "mine": m.side == viewer, "author": m.author_name,
        "text": m.text, "html": rules.to_html(m.text), "created_at": m.created_at, "via": m.via,
        "attachments": [{"id": a.resource_id, "filename": a.filename, "size": int(a.size),
                         "content_type": a.content_type, "url": file_url(a.resource_id) if file_url else None}
                        for a in m.attachments or []],
        "seen_by": [{"name": name, "at": at} for name, at in seen],
    }


