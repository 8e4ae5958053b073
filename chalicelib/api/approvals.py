"""Staff approvals API: deliverables across projects (by status, by project), one deliverable's
history, marking a project's file "needs approval", new versions and comments."""
from __future__ import annotations

import re
from typing import Any

from chalice import Blueprint

from chalicelib.api.http import body, json_response, page_params, staff_route
from chalicelib.domain import approvals as rules
from chalicelib.domain.approvals_inputs import DeliverableCommentInput, DeliverableInput
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.inputs import FileSpec
from chalicelib.domain.permissions import MANAGE_RESOURCES, VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.approvals import deliverables
from chalicelib.services.approvals.deliverables import History, file_url
from chalicelib.services.delivery.previews.urls import preview_url

bp = Blueprint(__name__)
ITEM = "/api/v1/approvals/{deliverable_id}"
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def deliverable(d: Any) -> dict[str, Any]:
    return {"id": d.deliverable_id, "client_id": d.client_id, "project_id": d.project_id,
            "milestone_id": d.milestone_id, "resource_id": d.resource_id, "title": d.title, "status": d.status,
            "status_label": rules.LABELS[d.status], "current_version": int(d.current_version),
            "created_at": d.created_at, "created_by": d.created_by, "updated_at": d.updated_at}


def _version(v: Any, current: int, comments: list[Any]) -> dict[str, Any]:
    status = rules.version_status(v.decision, int(v.version), current)
    return {
        "version": int(v.version), "resource_version": int(v.resource_version), "filename": v.filename,
        "size": int(v.size) if v.size is not None else None, "content_type": v.content_type,
        "created_at": v.created_at, "created_by": v.created_by, "status": status, "status_label": rules.LABELS[status],
        "download_url": file_url(v), "preview_url": preview_url(v.page_key),
        "decision": None if not v.decision else {
            "decision": v.decision, "comment": v.decision_comment, "at": v.decided_at,
            "contact_id": v.decided_by_contact_id, "name": v.decided_by_name, "email": v.decided_by_email,
            "ip": v.decided_ip, "user_agent": v.decided_user_agent},
        "comments": [{"id": c.comment_id, "author": c.author_name, "author_kind": c.author_kind, "text": c.text,
                      "created_at": c.created_at} for c in comments],
    }


def history(found: History) -> dict[str, Any]:
    """The deliverable and every version, newest first, each with its file, decision and comments."""
    current = int(found.deliverable.current_version)
    return {**deliverable(found.deliverable),
            "versions": [_version(v, current, found.comments.get(int(v.version), [])) for v in reversed(found.versions)]}


@staff_route(bp, "/api/v1/approvals", VIEW)
def list_approvals(principal: Principal) -> Any:
    params: Any = bp.current_request.query_params or {}
    limit, cursor = page_params(params)
    project_id = params.get("project_id") or None
    if project_id is not None and not _ID.fullmatch(project_id):
        raise ValidationError("Project must be an id (letters, digits, - and _).", field="project_id")
    items, next_cursor = deliverables.list_deliverables(principal, params.get("status") or None, project_id, limit,
                                                        cursor)
    return json_response({"items": [deliverable(d) for d in items], "next_cursor": next_cursor})


@staff_route(bp, "/api/v1/approvals", MANAGE_RESOURCES, methods=["POST"])
def mark_for_approval(principal: Principal) -> Any:
    return json_response(history(deliverables.mark(principal, body(bp, DeliverableInput))), 201)


@staff_route(bp, ITEM, VIEW)
def get_approval(principal: Principal, deliverable_id: str) -> Any:
    return json_response(history(deliverables.get_history(principal, deliverable_id)))


@staff_route(bp, ITEM + "/comments", MANAGE_RESOURCES, methods=["POST"])
def comment_on_approval(principal: Principal, deliverable_id: str) -> Any:
    data = body(bp, DeliverableCommentInput)
    comment = deliverables.comment_as_staff(principal, deliverable_id, data)
    return json_response({"id": comment.comment_id, "version": int(comment.version), "author": comment.author_name,
                          "author_kind": comment.author_kind, "text": comment.text,
                          "created_at": comment.created_at}, 201)


@staff_route(bp, ITEM + "/versions", MANAGE_RESOURCES, methods=["POST"])
def start_new_version(principal: Principal, deliverable_id: str) -> Any:
    """The presigned upload of the replacement file (the resource's own upload flow)."""
    data = body(bp, FileSpec)
    return json_response({"upload": deliverables.start_new_version(principal, deliverable_id, data)}, 201)


@staff_route(bp, ITEM + "/versions/confirm", MANAGE_RESOURCES, methods=["POST"])
def confirm_new_version(principal: Principal, deliverable_id: str) -> Any:
    return json_response(history(deliverables.confirm_new_version(principal, deliverable_id)), 201)
