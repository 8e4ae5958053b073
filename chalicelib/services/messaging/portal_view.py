"""The conversation in the client portal: a contact reads its client's conversation (or one of
its projects'), which marks the team's messages seen by that contact, and writes to it.

Reading costs the portal's own calls (token, business + contact) plus one Query of the
latest messages; a page with attachments adds one BatchGet for their previews. Only the
contact's own client's conversations exist for it: another client's project id is a 404.
"""
from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.domain import messages as rules
from chalicelib.domain.errors import NotFound
from chalicelib.domain.messaging_inputs import PortalMessage
from chalicelib.domain.tokens import token_hash
from chalicelib.services.messaging import attachments
from chalicelib.services.messaging.conversations import PAGE, Author, append, mark_seen, message_view, seen_of
from chalicelib.services.portal.portal import SESSION, PortalAccess
from chalicelib.services.projects.client_access import project_for_client
from chalicelib.store import messages as store
from chalicelib.store.clients import get_contact
from chalicelib.store.rate_limits import hit

PER_CONTACT, PER_IP, WINDOW = 20, 60, 60  # messages (and uploads) a minute


def portal_base(access: PortalAccess) -> str:
    return f"/portal/{access.token or SESSION}"


def _author(access: PortalAccess) -> Author:
    contact = get_contact(access.business_id, access.client_id, access.contact_id)
    if contact is None:
        raise NotFound("This portal link is not valid. Ask the sender for a new one.")
    return Author(rules.CLIENT, access.contact_id, contact.name or contact.email)


def conversation_for_portal(access: PortalAccess, project_id: str | None, cursor: str | None = None,
                            attached: list[str] | None = None, origin: str = "") -> dict[str, Any]:
    """The conversation as the contact sees it (oldest of the page first), for
    `templates/portal_project_conversation.html` (`conversation`) or JSON. Its links are paths,
    prefixed with `origin` when given (an execute-api URL carries the stage in the path)."""
    project = _project(access, project_id)
    conversation_id = store.conversation_id_of(access.client_id, project_id)
    found, next_cursor = store.message_page(access.business_id, conversation_id, PAGE, cursor)
    if any(m.side == rules.STAFF and f"contact:{access.contact_id}" not in seen_of(m) for m in found):
        mark_seen(found, _author(access))
    base = origin + portal_base(access)
    here = f"{base}/projects/{project_id}/messages" if project_id else f"{base}/messages"
    previews = attachments.previews_of(access.business_id, [a.resource_id for m in found for a in m.attachments or []])

    def file_url(resource_id: str) -> str:
        return f"{base}/message-files/{conversation_id}/{resource_id}"

    messages = [message_view(m, rules.CLIENT, file_url) for m in reversed(found)]
    for m in messages:
        for a in m["attachments"]:
            a["preview_url"] = previews.get(a["id"])
    pending = attachments.pending(access.business_id, conversation_id,
                                  Author(rules.CLIENT, access.contact_id, ""), attached or []) if attached else []
    return {
        "conversation_id": conversation_id, "project_id": project_id, "project_name": project.name if project else None,
        "messages": messages, "older_url": f"{here}?cursor={next_cursor}" if next_cursor else None,
        "post_url": here, "upload_url": f"{base}/message-uploads", "max_length": rules.MAX_TEXT,
        "pending": pending, "attachments": ",".join(p["id"] for p in pending),
    }


def _project(access: PortalAccess, project_id: str | None) -> Any:
    """The project (None for the client's own conversation), by the portal's project access check."""
    return project_for_client(access.business_id, access.client_id, project_id) if project_id else None


def limit_sends(access: PortalAccess, ip: str | None) -> None:
    message = "Too many messages at once. Wait a minute and send again."
    now = clock.now()
    hit(f"msg-contact#{access.business_id}#{access.contact_id}", PER_CONTACT, WINDOW, now, message)
    if ip:
        hit(f"msg-ip#{token_hash(ip)}", PER_IP, WINDOW, now, message)


def send_from_portal(access: PortalAccess, project_id: str | None, data: PortalMessage) -> store.Message:
    _project(access, project_id)
    return append(access.business_id, access.client_id, project_id, _author(access), data.text, "portal",
                  data.attachment_ids())


def page_path(token: str, project_id: str | None) -> str:
    return f"/portal/{token}/projects/{project_id}/messages" if project_id else f"/portal/{token}/messages"


def conversation_id_for(access: PortalAccess, project_id: str | None) -> str:
    """The id of the client's (or its project's) conversation; another client's project is a 404."""
    _project(access, project_id)
    return store.conversation_id_of(access.client_id, project_id)


def start_portal_upload(access: PortalAccess, project_id: str | None, redirect: str) -> tuple[str, dict[str, Any]]:
    """`redirect`: where S3 sends the browser back, `{attachment_id}` standing for the new id."""
    conversation_id = conversation_id_for(access, project_id)
    return attachments.start(access.business_id, conversation_id, Author(rules.CLIENT, access.contact_id, ""), None,
                             redirect, project_id)


def confirm_portal_upload(access: PortalAccess, conversation_id: str, resource_id: str) -> str | None:
    """Check the uploaded file; returns its conversation's project id (None: the client's own)."""
    item = attachments.confirm(access.business_id, conversation_id, Author(rules.CLIENT, access.contact_id, ""),
                               resource_id)
    return item.project_id


def portal_file_url(access: PortalAccess, conversation_id: str, resource_id: str) -> str:
    """A sent attachment of one of this client's conversations (404 for any other)."""
    conversation = store.get_conversation(access.business_id, conversation_id)
    if conversation is None or conversation.client_id != access.client_id:
        raise NotFound("Attachment not found.")
    return attachments.download_url(access.business_id, conversation_id, resource_id)
