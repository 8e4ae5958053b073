"""Milestones of a project: add, edit, reorder, delete, complete.

A new milestone joins the end of the project's order in the same transaction that writes it
(a list append: two added at once both land). Reordering and deleting rewrite the order
conditional on the project's version, so a reorder made from a stale list is refused, not
applied over a milestone added meanwhile. Completing is a conditional write on the milestone
(not done yet): of two staff completing it at once one wins, and only the winner issues the
invoice and tells the client.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain import projects as rules
from chalicelib.domain.errors import Conflict, NotFound, ValidationError
from chalicelib.domain.principal import Principal
from chalicelib.domain.project_inputs import MAX_MILESTONES, MilestoneInput, MilestoneOrder, MilestoneUpdate
from chalicelib.domain.tokens import new_id
from chalicelib.services.accounts.businesses import business_of
from chalicelib.services.notifications.activity import CLIENT, Activity, record
from chalicelib.services.projects import milestone_invoices as billing
from chalicelib.services.projects.projects import get_project
from chalicelib.store import documents as docs
from chalicelib.store import projects as store
from chalicelib.store.table import conditional, iso, transaction, update_item

CHANGED = "Someone else changed this project's milestones; reload and retry."


@dataclass(frozen=True)
class Completed:
    milestone: store.Milestone
    invoice: docs.Document | None  # the invoice it billed through, as issued (sent, or still a draft)


def _stored(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in changes.items()}


def _actions(changes: dict[str, Any], now: str) -> list[Action]:
    m = store.Milestone
    return [*(getattr(m, k).set(v) if v is not None else getattr(m, k).remove() for k, v in changes.items()),
            m.updated_at.set(now)]


def get_milestone(principal: Principal, project_id: str, milestone_id: str) -> tuple[store.Project, store.Milestone]:
    project = get_project(principal, project_id)
    milestone = store.get_milestone(principal.business_id, project_id, milestone_id)
    if milestone is None:
        raise NotFound("Milestone not found.", field="milestone_id")
    return project, milestone


def create_milestone(principal: Principal, project_id: str, data: MilestoneInput) -> store.Milestone:
    project = get_project(principal, project_id)
    if len(project.milestone_order or []) >= MAX_MILESTONES:
        raise ValidationError(f"A project has at most {MAX_MILESTONES} milestones.", field="title")
    invoice = billing.invoice_for(principal, project, data.invoice_id) if data.invoice_id else None
    now = iso(clock.now())
    milestone = store.new_milestone(project, new_id(), created_at=now, updated_at=now, **_stored(data.given()))
    with transaction() as tx:
        tx.save(milestone, condition=store.Milestone.pk.does_not_exist())
        actions = billing.link(tx, project, invoice) if invoice else []
        order = store.Project.milestone_order
        tx.update(project, actions=[order.set((order | []).append([milestone.milestone_id])),
                                    store.Project.updated_at.set(now), *actions],
                  condition=store.Project.pk.exists(), add_version_condition=False)
    return milestone


def edit_milestone(principal: Principal, project_id: str, milestone_id: str, data: MilestoneUpdate) -> store.Milestone:
    project, milestone = get_milestone(principal, project_id, milestone_id)
    changes = _stored(data.given())
    if changes.get("status") in (rules.PLANNED, rules.ACTIVE) and milestone.status == rules.DONE:
        changes["completed_at"] = changes["completed_by"] = None  # reopened
    now = iso(clock.now())
    if "invoice_id" not in changes or changes["invoice_id"] == milestone.invoice_id:
        changes.pop("invoice_id", None)
        update_item(milestone, changes, now, message="Someone else changed this milestone; reload and retry.")
        return store.get_milestone(principal.business_id, project_id, milestone_id) or milestone
    if milestone.status == rules.DONE:
        raise Conflict("This milestone is done: the invoice it billed through stays.", field="invoice_id")
    new_id_ = changes["invoice_id"]
    invoice = billing.invoice_for(principal, project, new_id_) if new_id_ else None
    others = [m for m in store.milestones_of(principal.business_id, project_id) if m.milestone_id != milestone_id]
    with transaction() as tx:
        tx.update(milestone, actions=_actions(changes, now))  # conditional on the version read
        actions = billing.relink(tx, project, invoice, milestone.invoice_id, others)
        if actions:
            tx.update(project, actions=[*actions, store.Project.updated_at.set(now)], condition=store.Project.pk.exists())
    return store.get_milestone(principal.business_id, project_id, milestone_id) or milestone


def reorder(principal: Principal, project_id: str, data: MilestoneOrder) -> store.Project:
    project = get_project(principal, project_id)
    rules.check_order([str(m) for m in project.milestone_order or []], data.order)
    update_item(project, {"milestone_order": list(data.order)}, iso(clock.now()), message=CHANGED)
    return project


def delete_milestone(principal: Principal, project_id: str, milestone_id: str) -> None:
    project, milestone = get_milestone(principal, project_id, milestone_id)
    now = iso(clock.now())
    others = [m for m in store.milestones_of(principal.business_id, project_id) if m.milestone_id != milestone_id]
    with transaction() as tx:
        tx.delete(milestone, condition=store.Milestone.pk.exists())
        actions = billing.unlink(tx, project, milestone.invoice_id, others) if milestone.invoice_id else []
        order = [m for m in project.milestone_order or [] if m != milestone_id]
        # On the project's version: a reorder or an addition meanwhile makes this one reload.
        tx.update(project, actions=[store.Project.milestone_order.set(order), store.Project.updated_at.set(now),
                                    *actions], condition=store.Project.pk.exists())


def complete(principal: Principal, project_id: str, milestone_id: str) -> Completed:
    """Mark the milestone done (once), tell the client, and issue the invoice it bills through."""
    project, milestone = get_milestone(principal, project_id, milestone_id)
    rules.check_can_complete(milestone.status)
    business = business_of(principal)
    invoice = billing.check_issuable(principal, business, milestone)
    now = iso(clock.now())
    m = store.Milestone
    conditional(lambda: milestone.update(
        actions=[m.status.set(rules.DONE), m.completed_at.set(now),
                 m.completed_by.set(principal.email or principal.user_id), m.updated_at.set(now)],
        condition=m.pk.exists() & (m.status != rules.DONE), add_version_condition=False),
        "This milestone was completed at the same time by someone else.")
    record(Activity(principal.business_id, project.client_id, "milestones", CLIENT,
                    f"Milestone done: {milestone.title}", text=f"{project.name}: “{milestone.title}” is done.",
                    portal_path=f"projects/{project_id}", staff_path=f"/app/#/projects/{project_id}",
                    project_id=project_id))
    issued = billing.issue(principal, business, project, milestone, invoice) if invoice else None
    return Completed(milestone, issued)
