"""The client's side of projects, in the portal: the Projects tab (active and on-hold projects
with progress, the next milestone and what waits on the client) and a project's page
(milestone timeline, its files by their access policies, its invoices).

Reads: the client's projects index (one Query: projects with their milestones), then one
BatchGet for the invoices (and, on a project page, the live resources of its files, after the
client's grants Query); each project's pending deliverables (one Query a project). Another
client's project is not in this client's index: a 404.

Seams for other features (extend, do not fork): `WAITING_HOOKS` (what waits on the client in a
project: each hook returns one line per thing; deliverables awaiting approval are one) and
`project_page(...)`'s dict (the page template includes `portal_project_deliverables.html` for its
`deliverables` and `portal_project_conversation.html` for its `conversation`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chalicelib import clock
from chalicelib.domain import access as policies
from chalicelib.domain import approvals as approval_rules
from chalicelib.domain import formatting
from chalicelib.domain import invoices as invoice_rules
from chalicelib.domain import projects as rules
from chalicelib.domain.errors import NotFound
from chalicelib.domain.money import format_amount
from chalicelib.services.approvals.client_approvals import deliverables_for_portal
from chalicelib.services.messaging import conversation_for_portal
from chalicelib.services.portal.client_files import entry_for
from chalicelib.services.portal.portal import PortalAccess, reader_locale
from chalicelib.services.projects.projects import ProjectDetail, detail_of
from chalicelib.store import approvals as deliverables_store
from chalicelib.store import documents as docs
from chalicelib.store import projects as store
from chalicelib.store.businesses import business_pk
from chalicelib.store.grants import Grant, grants_of_client
from chalicelib.store.resources import Resource, resource_sk
from chalicelib.store.table import BaseItem

NOT_FOUND = "Project not found."


@dataclass
class ProjectView:
    """One project as its client sees it: the project with its ordered milestones and progress,
    and the invoices billed through it that the client can see (no drafts)."""

    detail: ProjectDetail
    invoices: list[docs.Document] = field(default_factory=list)

    @property
    def project(self) -> store.Project:
        return self.detail.project


WaitingHook = Callable[[PortalAccess, ProjectView], list[str]]


def _active_milestones(access: PortalAccess, view: ProjectView) -> list[str]:
    return [f"Milestone in progress: {m.title}" for m in view.detail.milestones if m.status == rules.ACTIVE]


def _unpaid_invoices(access: PortalAccess, view: ProjectView) -> list[str]:
    locale = reader_locale(access)
    return [f"Invoice {d.number} to pay: {formatting.money(d.balance, d.currency, locale)}"
            for d in view.invoices if d.status in invoice_rules.OPEN_STATUSES and d.balance > 0]


def _pending_approvals(access: PortalAccess, view: ProjectView) -> list[str]:
    # One Query on the project's deliverables index, pending ones only (services/approvals).
    pending, _ = deliverables_store.list_page(access.business_id, view.project.project_id, approval_rules.PENDING,
                                              50, None)
    return [f"Approve or request changes: {d.title}" for d in pending if d.client_id == access.client_id]


# What waits on the client in a project, one line per thing. Other features append their hook
# to this list; every hook is asked, in order.
WAITING_HOOKS: list[WaitingHook] = [_active_milestones, _unpaid_invoices, _pending_approvals]


def waiting_on_client(access: PortalAccess, project: ProjectView) -> list[str]:
    return [line for hook in WAITING_HOOKS for line in hook(access, project)]


def _invoice_ids(project: store.Project, milestones: list[store.Milestone]) -> list[str]:
    ids = set(project.invoice_ids or ()) | {m.invoice_id for m in milestones if m.invoice_id}
    return sorted(ids)


def _views(business_id: str, items: list[BaseItem], shown: tuple[str, ...],
           extra: list[tuple[str, str]] | None = None) -> tuple[list[ProjectView], dict[tuple[str, str], BaseItem]]:
    """Projects (with a status in `shown`) of the index items, with their visible invoices: one BatchGet,
    which also reads `extra` keys (returned with the invoices, by key)."""
    projects = [p for p in items if isinstance(p, store.Project) and rules.project_status(p.status) in shown]
    milestones = [m for m in items if isinstance(m, store.Milestone)]
    details = [detail_of(p, [m for m in milestones if m.project_id == p.project_id]) for p in projects]
    keys = {(docs.doc_pk(business_id, did), "META") for d in details for did in _invoice_ids(d.project, d.milestones)}
    keys |= set(extra or [])
    found = {(i.pk, i.sk): i for i in BaseItem.batch_get(list(keys))} if keys else {}
    views = []
    for d in details:
        invoices = [found.get((docs.doc_pk(business_id, did), "META")) for did in _invoice_ids(d.project, d.milestones)]
        views.append(ProjectView(d, [i for i in invoices if isinstance(i, docs.Document) and _visible(i, d.project)]))
    return views, found


def _visible(document: docs.Document, project: store.Project) -> bool:
    return (document.kind == invoice_rules.INVOICE and document.client_id == project.client_id
            and document.status != invoice_rules.DRAFT)


def _milestone(m: store.Milestone, shown_invoices: set[str]) -> dict[str, Any]:
    return {"id": m.milestone_id, "title": m.title, "description": m.description, "due_date": m.due_date,
            "status": m.status, "completed_on": m.completed_at[:10] if m.completed_at else None,
            "invoice_id": m.invoice_id if m.invoice_id in shown_invoices else None}


def _summary(access: PortalAccess, view: ProjectView) -> dict[str, Any]:
    d = view.detail
    upcoming = next((m for m in d.milestones if m.milestone_id == d.next_milestone_id), None)
    waiting = waiting_on_client(access, view)
    return {"id": d.project.project_id, "name": d.project.name, "description": d.project.description,
            "status": d.status, "progress": d.progress,
            "next_milestone": _milestone(upcoming, set()) if upcoming else None,
            "waiting": waiting, "waiting_count": len(waiting)}


def _invoice(document: docs.Document, today: date) -> dict[str, Any]:
    due = date.fromisoformat(document.due_date) if document.due_date else None
    is_open = document.status in invoice_rules.OPEN_STATUSES
    return {"id": document.doc_id, "number": document.number, "due_date": document.due_date,
            "status": invoice_rules.display_status(document.status, due, today),
            "total": _money(int(document.total), document.currency),
            "balance": _money(document.balance if is_open else 0, document.currency)}


def _money(amount: int, currency: str) -> dict[str, Any]:
    """Data, as every view's money: the page writes it in its reader's locale."""
    return {"amount": amount, "currency": currency, "display": format_amount(amount, currency)}


def projects_tab(access: PortalAccess) -> dict[str, Any]:
    """The Projects tab: the client's active and on-hold projects, newest first."""
    items = store.client_projects(access.business_id, access.client_id)
    views, _ = _views(access.business_id, items, rules.LISTED_FOR_CLIENT)
    views.sort(key=lambda v: v.project.created_at, reverse=True)
    return {"projects": [_summary(access, v) for v in views]}


def _listed(grant: Grant, project_id: str, contact_id: str) -> bool:
    """A file of this project the contact's lists show, by its policy: open ones, and the locked ones
    as "available after payment" / "not yet released" (never internal ones: they have no grant)."""
    return (grant.target_type == "project" and grant.target_id == project_id
            and policies.shown_to_client(grant.policy, grant.state, grant.reason, grant.claimed_by)
            and grant.claimed_by in (None, contact_id))


def _project_grants(access: PortalAccess, project_id: str) -> list[Grant]:
    return sorted((g for g in grants_of_client(access.business_id, access.client_id)
                   if _listed(g, project_id, access.contact_id)), key=lambda g: g.created_at, reverse=True)


def project_page(access: PortalAccess, project_id: str, base_url: str = "") -> dict[str, Any]:
    """Everything the project page shows, as a dict other features add their keys to. Raises NotFound."""
    items = store.client_projects(access.business_id, access.client_id, project_id)
    grants = _project_grants(access, project_id)
    bid = access.business_id
    resource_keys = [(business_pk(bid), resource_sk(g.resource_id)) for g in grants]
    views, found = _views(bid, items, rules.SHOWN_TO_CLIENT, resource_keys)
    if not views or views[0].project.project_id != project_id:
        raise NotFound(NOT_FOUND)
    view, now = views[0], clock.now()
    shown_invoices = {d.doc_id for d in view.invoices}
    files = []
    for grant in grants:
        live = found.get((business_pk(bid), resource_sk(grant.resource_id)))
        files.append(vars(entry_for(grant, live if isinstance(live, Resource) else None, base_url, now)))
    return {"project": _summary(access, view),
            "milestones": [_milestone(m, shown_invoices) for m in view.detail.milestones],
            "files": files, "invoices": [_invoice(d, clock.today()) for d in view.invoices],
            # The template's slots: deliverables (approvals) and the project's conversation (messaging).
            "deliverables": deliverables_for_portal(access, project_id),
            "conversation": conversation_for_portal(access, project_id, origin=base_url)}
