"""Staff messaging API: the unified inbox, a conversation, answering, marking read, attachments."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import body, json_response, page_params, staff_route
from chalicelib.domain.messaging_inputs import AttachmentSpec, ConversationStart, StaffMessage
from chalicelib.domain.permissions import MANAGE_CLIENTS, VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.messaging import staff

bp = Blueprint(__name__)


def _message(m: Any) -> dict[str, Any]:
    return {"id": m.message_id, "conversation_id": m.conversation_id, "created_at": m.created_at,
            "text": m.text, "attachments": [a.resource_id for a in m.attachments or []]}


@staff_route(bp, "/api/v1/conversations", VIEW)
def inbox(principal: Principal) -> Any:
    limit, cursor = page_params(bp.current_request.query_params)
    return json_response(staff.inbox(principal, limit, cursor))


@staff_route(bp, "/api/v1/conversations", MANAGE_CLIENTS, methods=["POST"])
def write_to_client(principal: Principal) -> Any:
    data = body(bp, ConversationStart)
    sent = staff.start(principal, data.client_id, data.project_id, StaffMessage(text=data.text))
    return json_response(_message(sent), 201)


@staff_route(bp, "/api/v1/conversations/{conversation_id}", VIEW)
def conversation(principal: Principal, conversation_id: str) -> Any:
    _, cursor = page_params(bp.current_request.query_params)
    return json_response(staff.conversation(principal, conversation_id, cursor))


@staff_route(bp, "/api/v1/conversations/{conversation_id}/messages", MANAGE_CLIENTS, methods=["POST"])
def send(principal: Principal, conversation_id: str) -> Any:
    return json_response(_message(staff.reply(principal, conversation_id, body(bp, StaffMessage))), 201)


@staff_route(bp, "/api/v1/conversations/{conversation_id}/read", VIEW, methods=["POST"])
def mark_read(principal: Principal, conversation_id: str) -> Any:
    return json_response(staff.mark_read(principal, conversation_id))


@staff_route(bp, "/api/v1/conversations/{conversation_id}/attachments", MANAGE_CLIENTS, methods=["POST"])
def start_attachment(principal: Principal, conversation_id: str) -> Any:
    return json_response(staff.start_attachment(principal, conversation_id, body(bp, AttachmentSpec)), 201)


@staff_route(bp, "/api/v1/conversations/{conversation_id}/attachments/{attachment_id}/confirm", MANAGE_CLIENTS,
             methods=["POST"])
def confirm_attachment(principal: Principal, conversation_id: str, attachment_id: str) -> Any:
    return json_response(staff.confirm_attachment(principal, conversation_id, attachment_id))
