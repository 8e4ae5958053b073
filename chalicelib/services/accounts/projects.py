"""Projects of a business's clients."""
from __future__ import annotations

from chalicelib import clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.inputs import ProjectInput, ProjectUpdate
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import new_id
from chalicelib.services.accounts.clients import get_client
from chalicelib.store import projects as store
from chalicelib.store.table import iso, save_new, update_item


def create_project(principal: Principal, data: ProjectInput) -> store.Project:
    get_client(principal, data.client_id)  # a project belongs to a client of this business
    now = iso(clock.now())
    project = store.new_project(principal.business_id, new_id(), created_at=now, updated_at=now, **data.given())
    save_new(project)
    return project


def get_project(principal: Principal, project_id: str) -> store.Project:
    project = store.get_project(principal.business_id, project_id)
    if project is None:
        raise NotFound("Project not found.", field="project_id")
    return project


def update_project(principal: Principal, project_id: str, data: ProjectUpdate) -> store.Project:
    project = get_project(principal, project_id)
    update_item(project, data.given(), iso(clock.now()))
    return project


def list_projects(principal: Principal, limit: int, cursor: str | None) -> tuple[list[store.Project], str | None]:
    return store.list_projects(principal.business_id, limit, cursor)
