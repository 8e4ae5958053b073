"""Staff JSON shapes of projects and milestones."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.api.present import attributes
from chalicelib.domain.projects import project_status

if TYPE_CHECKING:  # annotations only: views shape what services return, never reach the store
    from chalicelib.services.projects.milestones import Completed
    from chalicelib.services.projects.projects import ProjectDetail
    from chalicelib.store.projects import Milestone, Project


def project(p: Project) -> dict[str, Any]:
    return {"id": p.project_id, **attributes(p, ("client_id", "name", "description", "created_at", "updated_at")),
            "status": project_status(p.status),
            "progress_set_by_staff": int(p.progress_override) if p.progress_override is not None else None,
            "milestone_order": list(p.milestone_order or []), "invoice_ids": sorted(p.invoice_ids or ())}


def milestone(m: Milestone) -> dict[str, Any]:
    return {"id": m.milestone_id, **attributes(m, (
        "project_id", "title", "description", "due_date", "status", "invoice_id", "completed_at", "completed_by",
        "created_at", "updated_at"))}


def detail(d: ProjectDetail) -> dict[str, Any]:
    """A project with its milestones in order, its progress and the next milestone to finish."""
    return {**project(d.project), "status": d.status, "progress": d.progress,
            "next_milestone_id": d.next_milestone_id, "milestones": [milestone(m) for m in d.milestones]}


def completed(c: Completed) -> dict[str, Any]:
    invoice = c.invoice
    return {"milestone": milestone(c.milestone),
            "invoice": {"id": invoice.doc_id, "number": invoice.number, "status": invoice.status} if invoice else None}
