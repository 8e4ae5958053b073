"""Projects: work for a client that deliverables can be attached to."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api import present
from chalicelib.api.http import body, json_response, page_params, staff_route
from chalicelib.domain.inputs import ProjectInput, ProjectUpdate
from chalicelib.domain.permissions import MANAGE_CLIENTS, VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts import projects

bp = Blueprint(__name__)


@staff_route(bp, "/api/v1/projects", VIEW)
def list_projects(principal: Principal) -> Any:
    limit, cursor = page_params(bp.current_request.query_params)
    items, next_cursor = projects.list_projects(principal, limit, cursor)
    return json_response(present.page([present.project(p) for p in items], next_cursor))


@staff_route(bp, "/api/v1/projects", MANAGE_CLIENTS, methods=["POST"])
def create_project(principal: Principal) -> Any:
    return json_response(present.project(projects.create_project(principal, body(bp, ProjectInput))), 201)


@staff_route(bp, "/api/v1/projects/{project_id}", VIEW)
def get_project(principal: Principal, project_id: str) -> Any:
    return json_response(present.project(projects.get_project(principal, project_id)))


@staff_route(bp, "/api/v1/projects/{project_id}", MANAGE_CLIENTS, methods=["PATCH"])
def update_project(principal: Principal, project_id: str) -> Any:
    return json_response(present.project(projects.update_project(principal, project_id, body(bp, ProjectUpdate))))
