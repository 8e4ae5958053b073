"""Projects: a piece of work for one client, with ordered milestones, that resources
(deliverables) and invoices hang on.

The project stays where it always was (`BIZ#{bid}` / `PROJECT#{pid}`, listed per business);
its milestones live in their own collection (`PROJ#{bid}#{pid}` / `MS#{mid}`). Their order is
the project's `milestone_order` (one conditional write reorders them all). Both carry the
client's projects index (gsi1 `BIZ#{bid}#CLIENT#{cid}#PROJECTS`, sorted `{pid}#…`), so the
client's Projects tab reads every project with its milestones in one Query, and a project
page reads one project's in one Query that cannot reach another client's.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute, VersionAttribute

from chalicelib.domain.projects import ACTIVE, PLANNED
from chalicelib.store.businesses import business_pk
from chalicelib.store.table import BaseItem, query_page

# Statuses written before planned / on_hold / done existed (read through domain.projects.project_status).
COMPLETED, ARCHIVED = "completed", "archived"


def client_projects_pk(business_id: str, client_id: str) -> str:
    return f"BIZ#{business_id}#CLIENT#{client_id}#PROJECTS"


class Project(BaseItem, discriminator="project"):
    project_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default=ACTIVE)
    progress_override = NumberAttribute(null=True)  # set by staff (0–100); None: share of milestones done
    milestone_order = ListAttribute(of=UnicodeAttribute, default=list)  # milestone ids, first to last
    invoice_ids = UnicodeSetAttribute(null=True)  # invoices billed through the project (DynamoDB ADD: each once)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()

    @property
    def business_id(self) -> str:
        return self.pk.split("#", 1)[1]

    def index_keys(self) -> dict[str, str]:
        """The project's place in its client's index."""
        return {"gsi1pk": client_projects_pk(self.business_id, self.client_id), "gsi1sk": f"{self.project_id}#META"}

    def serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        # Every save keeps the project in its client's index; projects stored before the index
        # existed join it on their next edit (services/projects/projects.update_project).
        self.gsi1pk, self.gsi1sk = self.index_keys().values()
        return super().serialize(null_check=null_check)


class Milestone(BaseItem, discriminator="milestone"):
    milestone_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    due_date = UnicodeAttribute(null=True)  # ISO date
    status = UnicodeAttribute(default=PLANNED)
    invoice_id = UnicodeAttribute(null=True)  # the invoice it bills through
    completed_at = UnicodeAttribute(null=True)
    completed_by = UnicodeAttribute(null=True)  # staff email
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


def project_sk(project_id: str) -> str:
    return f"PROJECT#{project_id}"


def milestones_pk(business_id: str, project_id: str) -> str:
    return f"PROJ#{business_id}#{project_id}"


def new_project(business_id: str, project_id: str, **fields: Any) -> Project:
    return Project(business_pk(business_id), project_sk(project_id), project_id=project_id, **fields)


def new_milestone(project: Project, milestone_id: str, **fields: Any) -> Milestone:
    bid = project.business_id
    return Milestone(
        milestones_pk(bid, project.project_id), f"MS#{milestone_id}",
        gsi1pk=client_projects_pk(bid, project.client_id), gsi1sk=f"{project.project_id}#MS#{milestone_id}",
        milestone_id=milestone_id, project_id=project.project_id, business_id=bid, client_id=project.client_id,
        **fields)


def get_project(business_id: str, project_id: str) -> Project | None:
    try:
        return Project.get(business_pk(business_id), project_sk(project_id), consistent_read=True)
    except Project.DoesNotExist:
        return None


def list_projects(business_id: str, limit: int, cursor: str | None) -> tuple[list[Project], str | None]:
    return query_page(Project, business_pk(business_id), "PROJECT#", limit, cursor)


def milestones_of(business_id: str, project_id: str) -> list[Milestone]:
    """Every milestone of a project (at most MAX_MILESTONES: one Query), unordered."""
    return list(Milestone.query(milestones_pk(business_id, project_id), consistent_read=True))


def get_milestone(business_id: str, project_id: str, milestone_id: str) -> Milestone | None:
    try:
        return Milestone.get(milestones_pk(business_id, project_id), f"MS#{milestone_id}", consistent_read=True)
    except Milestone.DoesNotExist:
        return None


def client_projects(business_id: str, client_id: str, project_id: str | None = None) -> list[BaseItem]:
    """A client's projects and their milestones (or one project's, with `project_id`), from the
    client's index: one Query, never another client's."""
    condition = BaseItem.gsi1sk.startswith(f"{project_id}#") if project_id else None
    return list(BaseItem.gsi1.query(client_projects_pk(business_id, client_id), condition))
