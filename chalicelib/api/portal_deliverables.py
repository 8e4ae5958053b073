"""`/portal/{token}/projects/{project_id}/deliverables/{deliverable_id}`: a deliverable awaiting the
client's approval (also under `/portal/me/…` for a signed-in contact): the page, approve,
request changes, comment, and the current file."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.client_sign_in import see_other
from chalicelib.api.files import current_session, denied_page
from chalicelib.api.html import brand, client_json, form_page, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, check_path_ids, client_ip, form_or_json, user_agent
from chalicelib.api.portal_access import open_portal, open_portal_form
from chalicelib.api.urls import absolute_url
from chalicelib.domain import approvals as rules
from chalicelib.domain.approvals_inputs import DeliverableCommentInput, DeliverableDecisionInput
from chalicelib.domain.errors import Conflict
from chalicelib.services.approvals import client_approvals as approvals
from chalicelib.services.approvals.deliverables import History
from chalicelib.services.approvals.notices import portal_path
from chalicelib.services.delivery.downloads import redeem
from chalicelib.services.portal import portal

bp = Blueprint(__name__)
PAGE = "/portal/{token}/projects/{project_id}/deliverables/{deliverable_id}"
NOTICES = {"approved": "Thank you: you approved this version.",
           "changes_requested": "Thank you: your request for changes was sent to the team.",
           "commented": "Your comment was added."}


def _errors() -> Any:
    # A refused decision leads back to the page it was made on.
    return page_errors(lambda: bp.current_request.headers, back=lambda: form_page(bp.current_request))


def _open(token: str, project_id: str, deliverable_id: str, posting: bool) -> portal.PortalAccess:
    request = bp.current_request
    path_ids = {"project_id": project_id, "deliverable_id": deliverable_id}
    if not posting:
        check_path_ids(path_ids)
        return open_portal(request, token)
    access = open_portal_form(request, token, path_ids)
    approvals.limit_posts(access, client_ip(request))
    return access


def _page(token: str, access: portal.PortalAccess, found: History, status: int = 200,
          notice: str | None = None, conflict: str | None = None) -> Any:
    request = bp.current_request
    view = approvals.page_view(found)
    if wants_json(request.headers):
        return client_json(view, status)
    base = absolute_url(request, f"/portal/{token}")
    return render("portal_deliverable.html", status=status, business=brand(portal.business_for(access)), d=view,
                  base=base, page_url=f"{base}/{portal_path(found.deliverable)}",
                  notice=notice, conflict=conflict, locale=portal.reader_locale(access))


@bp.route(PAGE, methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def deliverable_page(token: str, project_id: str, deliverable_id: str) -> Any:
    access = _open(token, project_id, deliverable_id, posting=False)
    found = approvals.open_deliverable(access, project_id, deliverable_id)
    params: Any = bp.current_request.query_params or {}
    return _page(token, access, found, notice=NOTICES.get(params.get("done") or ""))


@bp.route(PAGE + "/file", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def deliverable_file(token: str, project_id: str, deliverable_id: str) -> Any:
    access = _open(token, project_id, deliverable_id, posting=False)
    request = bp.current_request
    # Decided, counted and logged like any download of the file (`/files/{token}`).
    result = redeem(approvals.file_token(access, project_id, deliverable_id), client_ip(request),
                    user_agent(request), current_session(request))
    return see_other(str(result.location)) if result.allowed else denied_page(result, request)


@bp.route(PAGE + "/approve", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def approve_deliverable(token: str, project_id: str, deliverable_id: str) -> Any:
    return _decide(token, project_id, deliverable_id, rules.APPROVED)


@bp.route(PAGE + "/request-changes", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def request_changes(token: str, project_id: str, deliverable_id: str) -> Any:
    return _decide(token, project_id, deliverable_id, rules.CHANGES_REQUESTED)


def _decide(token: str, project_id: str, deliverable_id: str, decision: str) -> Any:
    access = _open(token, project_id, deliverable_id, posting=True)
    request = bp.current_request
    data = form_or_json(bp, DeliverableDecisionInput)
    where = approvals.Where(client_ip(request), user_agent(request))
    try:
        found = approvals.decide(access, project_id, deliverable_id, decision, data, where)
    except Conflict as e:
        if wants_json(request.headers):
            raise
        # The page as it is now, with what happened: who decided first, or that a version came.
        again = approvals.open_deliverable(access, project_id, deliverable_id)
        return _page(token, access, again, status=409, conflict=e.message)
    return _done(token, access, found, decision)


@bp.route(PAGE + "/comment", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def comment_on_deliverable(token: str, project_id: str, deliverable_id: str) -> Any:
    access = _open(token, project_id, deliverable_id, posting=True)
    approvals.comment(access, project_id, deliverable_id, form_or_json(bp, DeliverableCommentInput))
    return _done(token, access, approvals.open_deliverable(access, project_id, deliverable_id), "commented")


def _done(token: str, access: portal.PortalAccess, found: History, what: str) -> Any:
    if wants_json(bp.current_request.headers):
        return client_json(approvals.page_view(found))
    return see_other(f"/portal/{token}/{portal_path(found.deliverable)}?done={what}")
