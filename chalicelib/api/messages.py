"""The conversation in the client portal: `/portal/{token}/messages` (the client's) and
`/portal/{token}/projects/{project_id}/messages` (a project's), also under `/portal/me/…`;
sending (form or JSON), attaching files (straight to S3, back through the confirm page) and
downloading a sent attachment."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.client_sign_in import see_other
from chalicelib.api.html import brand, client_json, form_origins, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, check_path_ids, client_ip, form_or_json
from chalicelib.api.portal_access import open_portal, open_portal_form
from chalicelib.api.urls import absolute_url
from chalicelib.domain.messaging_inputs import PortalMessage, PortalUpload
from chalicelib.services.delivery.bucket_origins import browser_origins
from chalicelib.services.messaging import portal_view
from chalicelib.services.portal import portal

bp = Blueprint(__name__)


def _errors() -> Any:
    return page_errors(lambda: bp.current_request.headers)


@bp.route("/portal/{token}/messages", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def client_conversation(token: str) -> Any:
    return _page(token, None)


@bp.route("/portal/{token}/projects/{project_id}/messages", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def project_conversation(token: str, project_id: str) -> Any:
    check_path_ids({"project_id": project_id})
    return _page(token, project_id)


def _attached(params: Any) -> list[str]:
    raw = str(params.get("attachments") or "")[:700]
    return [a for a in raw.split(",") if a and a.replace("-", "").replace("_", "").isalnum()]


def _page(token: str, project_id: str | None) -> Any:
    request = bp.current_request
    params: Any = request.query_params or {}
    access = open_portal(request, token)
    business = portal.business_for(access)
    view = portal_view.conversation_for_portal(access, project_id, params.get("cursor"), _attached(params),
                                               origin=absolute_url(request, ""))
    if wants_json(request.headers):
        return client_json(view)
    return render("portal.html", business=brand(business), tab="messages", tabs=portal.visible_tabs(business),
                  view=view, base=absolute_url(request, f"/portal/{token}"), locale=portal.reader_locale(access),
                  sign_out_url=absolute_url(request, "/signout") if access.token is None else None, can_pay=False)


@bp.route("/portal/{token}/messages", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def send_to_client_conversation(token: str) -> Any:
    return _send(token, None)


@bp.route("/portal/{token}/projects/{project_id}/messages", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def send_to_project_conversation(token: str, project_id: str) -> Any:
    check_path_ids({"project_id": project_id})
    return _send(token, project_id)


def _send(token: str, project_id: str | None) -> Any:
    request = bp.current_request
    access = open_portal_form(request, token)
    portal_view.limit_sends(access, client_ip(request))
    message = portal_view.send_from_portal(access, project_id, form_or_json(bp, PortalMessage))
    page = f"/portal/{token}/projects/{project_id}/messages" if project_id else f"/portal/{token}/messages"
    if wants_json(request.headers):
        return client_json({"id": message.message_id, "created_at": message.created_at,
                            "next": absolute_url(request, page)}, 201)
    return see_other(f"{page}#latest")


@bp.route("/portal/{token}/message-uploads", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def start_upload(token: str) -> Any:
    """The "Attach a file" button: a page whose form sends the file straight to S3."""
    request = bp.current_request
    access = open_portal_form(request, token)
    portal_view.limit_sends(access, client_ip(request))
    data = form_or_json(bp, PortalUpload) if request.raw_body else PortalUpload()
    conversation_id = portal_view.conversation_id_for(access, data.project_id)
    back = absolute_url(request, f"/portal/{token}/message-uploads/{conversation_id}/") + "{attachment_id}"
    resource_id, plan = portal_view.start_portal_upload(
        access, data.project_id, back + (f"?attachments={data.attachments}" if data.attachments else ""))
    if wants_json(request.headers):
        return client_json({"attachment_id": resource_id, "upload": plan}, 201)
    business = portal.business_for(access)
    return render("portal_upload.html", business=brand(business), plan=plan,
                  form_action=f"{form_origins()} {browser_origins()}",
                  back_url=absolute_url(request, portal_view.page_path(token, data.project_id)))


@bp.route("/portal/{token}/message-uploads/{conversation_id}/{resource_id}", methods=["GET"],
          content_types=ANY_CONTENT_TYPE)
@_errors()
def confirm_upload(token: str, conversation_id: str, resource_id: str) -> Any:
    """Where S3 sends the browser after the upload: the file is checked, then back to the conversation."""
    check_path_ids({"conversation_id": conversation_id, "resource_id": resource_id})
    request = bp.current_request
    params: Any = request.query_params or {}
    access = open_portal(request, token)
    project_id = portal_view.confirm_portal_upload(access, conversation_id, resource_id)
    attached = [*_attached(params), resource_id]
    page = portal_view.page_path(token, project_id)
    if wants_json(request.headers):
        return client_json({"attachment_id": resource_id, "next": absolute_url(request, page)})
    return see_other(f"{page}?attachments={','.join(dict.fromkeys(attached))}#compose")


@bp.route("/portal/{token}/message-files/{conversation_id}/{resource_id}", methods=["GET"],
          content_types=ANY_CONTENT_TYPE)
@_errors()
def download(token: str, conversation_id: str, resource_id: str) -> Any:
    """A sent attachment: access decided now (a removed contact gets a 404), then a 60 s link."""
    check_path_ids({"conversation_id": conversation_id, "resource_id": resource_id})
    access = open_portal(bp.current_request, token)
    return see_other(portal_view.portal_file_url(access, conversation_id, resource_id))
