"""Resources: links and files (uploaded by the browser straight to S3)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api import present
from chalicelib.api.http import body, json_response, page_params, staff_route
from chalicelib.domain.inputs import CompleteUpload, FileSpec, PartsRequest, ResourceInput, ResourceUpdate
from chalicelib.domain.permissions import MANAGE_RESOURCES, VIEW
from chalicelib.services import delivery, resources

bp = Blueprint(__name__)
ITEM = "/api/v1/resources/{resource_id}"




@staff_route(bp, "/api/v1/resources", VIEW)
def list_resources(principal: Any) -> Any:
    limit, cursor = page_params(bp.current_request.query_params)
    items, next_cursor = resources.list_resources(principal, limit, cursor)
    return json_response({"items": [present.resource(r) for r in items], "next_cursor": next_cursor})


@staff_route(bp, "/api/v1/resources", MANAGE_RESOURCES, methods=["POST"])
def create_resource(principal: Any) -> Any:
    resource, upload = resources.create_resource(principal, body(bp, ResourceInput))
    return json_response({"resource": present.resource(resource), "upload": upload}, 201)


@staff_route(bp, ITEM, VIEW)
def get_resource(principal: Any, resource_id: str) -> Any:
    return json_response(present.resource(resources.get_resource(principal, resource_id)))


@staff_route(bp, ITEM, MANAGE_RESOURCES, methods=["PATCH"])
def update_resource(principal: Any, resource_id: str) -> Any:
    return json_response(present.resource(resources.update_resource(principal, resource_id, body(bp, ResourceUpdate))))


@staff_route(bp, ITEM + "/versions", MANAGE_RESOURCES, methods=["POST"])
def new_version(principal: Any, resource_id: str) -> Any:
    return json_response({"upload": resources.new_version(principal, resource_id, body(bp, FileSpec))}, 201)


@staff_route(bp, ITEM + "/upload/parts", MANAGE_RESOURCES, methods=["POST"])
def presign_parts(principal: Any, resource_id: str) -> Any:
    parts = resources.presign_parts(principal, resource_id, body(bp, PartsRequest).part_numbers)
    return json_response({"parts": parts})


@staff_route(bp, ITEM + "/upload/parts", MANAGE_RESOURCES)
def uploaded_parts(principal: Any, resource_id: str) -> Any:
    return json_response({"parts": resources.uploaded_parts(principal, resource_id)})


@staff_route(bp, ITEM + "/upload/complete", MANAGE_RESOURCES, methods=["POST"])
def complete_upload(principal: Any, resource_id: str) -> Any:
    return json_response(present.resource(resources.complete_multipart(principal, resource_id, body(bp, CompleteUpload))))


@staff_route(bp, ITEM + "/upload/confirm", MANAGE_RESOURCES, methods=["POST"])
def confirm_upload(principal: Any, resource_id: str) -> Any:
    return json_response(present.resource(resources.confirm_upload(principal, resource_id)))


@staff_route(bp, ITEM + "/access-log", VIEW)
def access_log(principal: Any, resource_id: str) -> Any:
    """The resource's access log, newest first; `?format=csv` downloads it."""
    params: Any = bp.current_request.query_params or {}
    limit, cursor = page_params(params)
    if params.get("format") == "csv":
        limit = 1000  # one file; a longer log pages with the cursor header
    entries, next_cursor = delivery.access_log_of(principal, resource_id, limit, cursor)
    if params.get("format") == "csv":
        headers: dict[str, Any] = {"Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
                   "Content-Disposition": f'attachment; filename="access-log-{resource_id}.csv"',
                   "X-Next-Cursor": next_cursor or ""}
        return Response(body=delivery.access_log_csv(entries), status_code=200, headers=headers)
    items = [{name: getattr(e, name) for name in delivery.LOG_COLUMNS} for e in entries]
    return json_response({"items": items, "next_cursor": next_cursor})


@staff_route(bp, ITEM + "/upload", MANAGE_RESOURCES, methods=["DELETE"])
def abort_upload(principal: Any, resource_id: str) -> Any:
    resources.abort_upload(principal, resource_id)
    return json_response({"aborted": True})
