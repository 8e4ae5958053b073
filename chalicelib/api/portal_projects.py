"""`/portal/{token}/projects/{project_id}`: one project of the contact's client (also
`/portal/me/projects/{project_id}` for a signed-in contact). The Projects tab itself is a tab
of `/portal/{token}` (api/portal.py)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.html import brand, client_json, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE
from chalicelib.api.portal_access import open_portal_tab
from chalicelib.api.urls import absolute_url
from chalicelib.services.portal import portal
from chalicelib.services.projects import client_projects

bp = Blueprint(__name__)


@bp.route("/portal/{token}/projects/{project_id}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@page_errors(lambda: bp.current_request.headers)
def portal_project(token: str, project_id: str) -> Any:
    request = bp.current_request
    access, business = open_portal_tab(request, token, "projects", {"project_id": project_id})
    context = client_projects.project_page(access, project_id, absolute_url(request, ""))
    if wants_json(request.headers):
        return client_json(context)
    return render("portal_project.html", business=brand(business), base=absolute_url(request, f"/portal/{token}"),
                  locale=portal.reader_locale(access), **context)
