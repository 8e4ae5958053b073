"""Projects: a piece of work for one client that resources (deliverables) can hang on."""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import UnicodeAttribute

from chalicelib.store.businesses import business_pk
from chalicelib.store.table import BaseItem, query_page

ACTIVE, COMPLETED, ARCHIVED = "active", "completed", "archived"


class Project(BaseItem, discriminator="project"):
    project_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default=ACTIVE)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


def project_sk(project_id: str) -> str:
    return f"PROJECT#{project_id}"


def new_project(business_id: str, project_id: str, **fields: Any) -> Project:
    return Project(business_pk(business_id), project_sk(project_id), project_id=project_id, **fields)


def get_project(business_id: str, project_id: str) -> Project | None:
    try:
        return Project.get(business_pk(business_id), project_sk(project_id))
    except Project.DoesNotExist:
        return None


def list_projects(business_id: str, limit: int, cursor: str | None) -> tuple[list[Project], str | None]:
    return query_page(Project, business_pk(business_id), "PROJECT#", limit, cursor)
