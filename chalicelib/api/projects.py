"""Projects: work for a client, with ordered milestones, that deliverables and invoices hang on."""
from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint

from chalicelib.api import present_projects
from chalicelib.api.http import body, json_response, listed, staff_route
from chalicelib.domain.inputs import ProjectInput, ProjectUpdate
from chalicelib.domain.permissions import MANAGE_CLIENTS, VIEW
from chalicelib.domain.principal import Principal
from chalicelib.domain.project_inputs import MilestoneInput, MilestoneOrder, MilestoneUpdate
from chalicelib.services.projects import milestones, projects

bp = Blueprint(__name__)


@staff_route(bp, "/api/v1/projects", VIEW)
def list_projects(principal: Principal) -> Any:
    return listed(bp.current_request, partial(projects.list_projects, principal), present_projects.project)


@staff_route(bp, "/api/v1/projects", MANAGE_CLIENTS, methods=["POST"])
def create_project(principal: Principal) -> Any:
    return json_response(present_projects.project(projects.create_project(principal, body(bp, ProjectInput))), 201)


@staff_route(bp, "/api/v1/projects/{project_id}", VIEW)
def get_project(principal: Principal, project_id: str) -> Any:
    """The project with its milestones in order and its progress."""
    return json_response(present_projects.detail(projects.project_detail(principal, project_id)))


@staff_route(bp, "/api/v1/projects/{project_id}", MANAGE_CLIENTS, methods=["PATCH"])
def update_project(principal: Principal, project_id: str) -> Any:
    projects.update_project(principal, project_id, body(bp, ProjectUpdate))
    return json_response(present_projects.detail(projects.project_detail(principal, project_id)))


@staff_route(bp, "/api/v1/projects/{project_id}/milestones", MANAGE_CLIENTS, methods=["POST"])
def create_milestone(principal: Principal, project_id: str) -> Any:
    made = milestones.create_milestone(principal, project_id, body(bp, MilestoneInput))
    return json_response(present_projects.milestone(made), 201)


@staff_route(bp, "/api/v1/projects/{project_id}/milestones", MANAGE_CLIENTS, methods=["PUT"])
def reorder_milestones(principal: Principal, project_id: str) -> Any:
    """Every milestone of the project, in the new order (a list that is not exactly them: 400)."""
    milestones.reorder(principal, project_id, body(bp, MilestoneOrder))
    return json_response(present_projects.detail(projects.project_detail(principal, project_id)))


@staff_route(bp, "/api/v1/projects/{project_id}/milestones/{milestone_id}", MANAGE_CLIENTS, methods=["PATCH"])
def edit_milestone(principal: Principal, project_id: str, milestone_id: str) -> Any:
    edited = milestones.edit_milestone(principal, project_id, milestone_id, body(bp, MilestoneUpdate))
    return json_response(present_projects.milestone(edited))


@staff_route(bp, "/api/v1/projects/{project_id}/milestones/{milestone_id}", MANAGE_CLIENTS, methods=["DELETE"])
def delete_milestone(principal: Principal, project_id: str, milestone_id: str) -> Any:
    milestones.delete_milestone(principal, project_id, milestone_id)
    return json_response({"deleted": True})


@staff_route(bp, "/api/v1/projects/{project_id}/milestones/{milestone_id}/complete", MANAGE_CLIENTS,
             methods=["POST"])
def complete_milestone(principal: Principal, project_id: str, milestone_id: str) -> Any:
    """Done: the client is told, and the invoice it bills through is issued (sent or left a draft, by setting)."""
    return json_response(present_projects.completed(milestones.complete(principal, project_id, milestone_id)))
