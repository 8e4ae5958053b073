"""Resources: links and files (uploaded by the browser straight to S3)."""
from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint

from chalicelib.api import present
from chalicelib.api.http import body, json_response, listed, staff_route
from chalicelib.domain.inputs import AttachmentInput, CompleteUpload, FileSpec, PartsRequest, ResourceInput, ResourceUpdate
from chalicelib.domain.permissions import MANAGE_RESOURCES, VIEW
from chalicelib.services.delivery import attachments, bulk_effects, resources
from chalicelib.services.delivery import grants as delivery
from chalicelib.services.delivery.previews.urls import preview_url

bp = Blueprint(__name__)
ITEM = "/api/v1/resources/{resource_id}"


def _shown(resource: Any) -> Any:
    """The resource with presigned thumbnails (never the full file) for lists and grids."""
    return present.resource(resource, preview_url)

@staff_route(bp, "/api/v1/resources", VIEW)
def list_resources(principal: Any) -> Any:
    return listed(bp.current_request, partial(resources.list_resources, principal), _shown)


@staff_route(bp, "/api/v1/resources", MANAGE_RESOURCES, methods=["POST"])
def create_resource(principal: Any) -> Any:
    resource, upload = resources.create_resource(principal, body(bp, ResourceInput))
    return json_response({"resource": _shown(resource), "upload": upload}, 201)


@staff_route(bp, ITEM, VIEW)
def get_resource(principal: Any, resource_id: str) -> Any:
    return json_response(_shown(resources.get_resource(principal, resource_id)))


@staff_route(bp, ITEM, MANAGE_RESOURCES, methods=["PATCH"])
def update_resource(principal: Any, resource_id: str) -> Any:
    return json_response(_shown(resources.update_resource(principal, resource_id, body(bp, ResourceUpdate))))


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
    return json_response(_shown(resources.complete_multipart(principal, resource_id, body(bp, CompleteUpload))))


@staff_route(bp, ITEM + "/upload/confirm", MANAGE_RESOURCES, methods=["POST"])
def confirm_upload(principal: Any, resource_id: str) -> Any:
    return json_response(_shown(resources.confirm_upload(principal, resource_id)))


@staff_route(bp, ITEM + "/upload", MANAGE_RESOURCES, methods=["DELETE"])
def abort_upload(principal: Any, resource_id: str) -> Any:
    resources.abort_upload(principal, resource_id)
    return json_response({"aborted": True})


@staff_route(bp, ITEM + "/attachments", VIEW)
def list_attachments(principal: Any, resource_id: str) -> Any:
    found = attachments.attachments_of(principal, resource_id)
    return json_response({"items": [present.attachment(a, bp.current_request) for a in found]})


@staff_route(bp, ITEM + "/attachments", MANAGE_RESOURCES, methods=["POST"])
def attach(principal: Any, resource_id: str) -> Any:
    """Offer the resource through a client, product, invoice, quote or project."""
    attachment, grants = attachments.attach(principal, resource_id, body(bp, AttachmentInput))
    return json_response({"attachment": present.attachment(attachment, bp.current_request),
                          "grants": [present.grant(g, bp.current_request) for g in grants]}, 201)


@staff_route(bp, ITEM + "/attachments/{attachment_id}", MANAGE_RESOURCES, methods=["DELETE"])
def detach(principal: Any, resource_id: str, attachment_id: str) -> Any:
    closed = attachments.detach(principal, resource_id, attachment_id)
    return json_response({"detached": True, "grants_revoked": len(closed)})


@staff_route(bp, ITEM + "/grants", VIEW)
def list_grants(principal: Any, resource_id: str) -> Any:
    """Who can access this resource, through which attachment, in which state."""
    grants = delivery.resource_grants(principal, resource_id)
    return json_response({"items": [present.grant(g, bp.current_request) for g in grants]})


@staff_route(bp, ITEM + "/grants/{action}", MANAGE_RESOURCES, methods=["POST"])
def act_on_all(principal: Any, resource_id: str, action: str) -> Any:
    """Release, lock or revoke every grant of the resource that the action applies to."""
    delivery.check_action(action, bulk=True)
    changed = delivery.act_on_resource(principal, resource_id, action)
    return json_response({"changed": len(changed), "items": [present.grant(g, bp.current_request) for g in changed]})


@staff_route(bp, ITEM + "/grants/{action}", VIEW)
def bulk_effect(principal: Any, resource_id: str, action: str) -> Any:
    """Before "release, lock or revoke all": how many grants it touches and who loses access."""
    delivery.check_action(action, bulk=True)
    effect = bulk_effects.bulk_effect(principal, resource_id, action)
    return json_response({"action": effect.action, "grants": effect.grants, "more_clients": effect.more_clients,
                          "clients": [{"client_id": a.client_id, "name": a.client_name, "only_claimer": a.only_claimer,
                                       "contacts": [{"name": n, "email": e} for n, e in a.contacts]}
                                      for a in effect.clients]})


@staff_route(bp, ITEM + "/grants/{grant_id}/{action}", MANAGE_RESOURCES, methods=["POST"])
def act_on_one(principal: Any, resource_id: str, grant_id: str, action: str) -> Any:
    delivery.check_action(action)
    return json_response(present.grant(delivery.act_on_resource_grant(principal, resource_id, grant_id, action),
                                       bp.current_request))
