"""Projects of a business's clients: create, edit, list, and one project with its milestones
in order and its progress."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib import clock
from chalicelib.domain import projects as rules
from chalicelib.domain.errors import NotFound
from chalicelib.domain.inputs import ProjectInput, ProjectUpdate
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import new_id
from chalicelib.services.accounts.clients import get_client
from chalicelib.store import projects as store
from chalicelib.store.table import iso, save_new, update_item


@dataclass(frozen=True)
class ProjectDetail:
    """A project with its milestones in the project's order, and its progress."""

    project: store.Project
    milestones: list[store.Milestone]
    status: str
    progress: int
    next_milestone_id: str | None


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
    changes = data.given()
    if "progress" in changes:
        changes["progress_override"] = changes.pop("progress")
    if project.gsi1pk is None:
        changes.update(project.index_keys())  # a project from before the client's index: it joins now
    # Conditional on the version read: an edit racing a reorder or a new milestone is told to reload.
    update_item(project, changes, iso(clock.now()), message="Someone else changed this project; reload and retry.")
    return project


def list_projects(principal: Principal, limit: int, cursor: str | None) -> tuple[list[store.Project], str | None]:
    return store.list_projects(principal.business_id, limit, cursor)


def ordered(project: store.Project, milestones: list[store.Milestone]) -> list[store.Milestone]:
    """Milestones in the project's order (any not in it yet, e.g. read mid-write, last by creation)."""
    position = {str(mid): i for i, mid in enumerate(project.milestone_order or [])}
    return sorted(milestones, key=lambda m: (position.get(m.milestone_id, len(position)), m.created_at))


def detail_of(project: store.Project, milestones: list[store.Milestone]) -> ProjectDetail:
    shown = ordered(project, milestones)
    statuses = {m.milestone_id: m.status for m in shown}
    override = int(project.progress_override) if project.progress_override is not None else None
    return ProjectDetail(project, shown, rules.project_status(project.status),
                         rules.progress(list(statuses.values()), override),
                         rules.next_open([m.milestone_id for m in shown], statuses))


def project_detail(principal: Principal, project_id: str) -> ProjectDetail:
    project = get_project(principal, project_id)
    return detail_of(project, store.milestones_of(principal.business_id, project_id))
