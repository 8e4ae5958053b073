"""The portal's one project access check: which of a client's projects its contacts may reach.

A project is the client's to see in the statuses `domain.projects.SHOWN_TO_CLIENT` (a planned one
is staff's, not shown yet). Every portal path under a project goes through here — its page (the
same rule on the client's index), its deliverables, its conversation — and so does what the client
is told (`notifications.activity.record` does not list, nor email, a link into a project the client
cannot open). Another client's project, or another business's, is the same 404 as an unknown one.
"""
from __future__ import annotations

from chalicelib.domain import projects as rules
from chalicelib.domain.errors import NotFound
from chalicelib.store.projects import Project, get_project

NOT_FOUND = "Project not found."


def client_can_see(business_id: str, client_id: str, project_id: str) -> bool:
    project = get_project(business_id, project_id)
    return (project is not None and project.client_id == client_id
            and rules.project_status(project.status) in rules.SHOWN_TO_CLIENT)


def project_for_client(business_id: str, client_id: str, project_id: str) -> Project:
    """The project, if this client's contacts may see it now. Raises NotFound."""
    project = get_project(business_id, project_id)
    if (project is None or project.client_id != client_id
            or rules.project_status(project.status) not in rules.SHOWN_TO_CLIENT):
        raise NotFound(NOT_FOUND)
    return project
