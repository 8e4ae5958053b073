"""Milestone rules through the services: races on the order, completion once, what happens to a
milestone's invoice when the milestone goes, and the "waiting on you" hooks other features extend."""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.errors import Conflict
from chalicelib.domain.inputs import DocumentInput, LineInput, ProjectInput
from chalicelib.domain.project_inputs import MilestoneInput, MilestoneOrder
from chalicelib.services.billing import documents
from chalicelib.services.identity.staff_auth import verify_id_token
from chalicelib.services.portal.portal import PortalAccess
from chalicelib.services.projects import client_projects, milestones, projects
from chalicelib.store import documents as docs
from tests.conftest import Tenant
from tests.support.portal import client_with_contact
from tests.support.projects import race


@pytest.fixture
def made(tenant: Tenant) -> dict[str, Any]:
    principal = verify_id_token(str(tenant.api.token))
    client_id, contact_id = client_with_contact(tenant)
    project = projects.create_project(principal, ProjectInput(client_id=client_id, name="Site"))
    return {"principal": principal, "client_id": client_id, "contact_id": contact_id, "project": project}


def _draft(made: dict[str, Any]) -> docs.Document:
    from chalicelib import clock

    return documents.create_document(made["principal"], "invoice", DocumentInput(
        client_id=made["client_id"], lines=[LineInput(description="Work", unit_price=5000)]), clock.today())


def test_milestones_added_at_once_all_join_the_order(made: dict[str, Any]) -> None:
    pid = made["project"].project_id
    titles = iter(f"M{i}" for i in range(6))
    results = race(6, lambda: milestones.create_milestone(made["principal"], pid, MilestoneInput(title=next(titles))))
    assert not [r for r in results if isinstance(r, Exception)], results
    detail = projects.project_detail(made["principal"], pid)
    assert sorted(m.title for m in detail.milestones) == [f"M{i}" for i in range(6)]
    assert len(detail.project.milestone_order) == 6


def test_a_reorder_from_a_stale_read_is_refused(made: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    pid, principal = made["project"].project_id, made["principal"]
    a = milestones.create_milestone(principal, pid, MilestoneInput(title="A"))
    b = milestones.create_milestone(principal, pid, MilestoneInput(title="B"))
    stale = projects.get_project(principal, pid)
    # Someone reorders between this request's read and its write.
    milestones.reorder(principal, pid, MilestoneOrder(order=[b.milestone_id, a.milestone_id]))
    monkeypatch.setattr(milestones, "get_project", lambda *_: stale)
    with pytest.raises(Conflict):
        milestones.reorder(principal, pid, MilestoneOrder(order=[a.milestone_id, b.milestone_id]))
    monkeypatch.undo()
    assert [m.title for m in projects.project_detail(principal, pid).milestones] == ["B", "A"]


def test_two_completions_at_once_send_the_invoice_once(made: dict[str, Any]) -> None:
    pid, principal = made["project"].project_id, made["principal"]
    invoice = _draft(made)
    milestone = milestones.create_milestone(principal, pid, MilestoneInput(title="A", invoice_id=invoice.doc_id))
    results = race(4, lambda: milestones.complete(principal, pid, milestone.milestone_id))
    won = [r for r in results if isinstance(r, milestones.Completed)]
    assert len(won) == 1 and all(isinstance(r, Conflict) for r in results if r not in won), results
    assert won[0].invoice is not None and won[0].invoice.status == "sent"
    stored = docs.get_document(principal.business_id, invoice.doc_id)
    assert stored is not None and stored.status == "sent" and stored.project_id == pid


def test_deleting_a_milestone_gives_back_its_draft_but_keeps_a_sent_invoice(made: dict[str, Any]) -> None:
    pid, principal = made["project"].project_id, made["principal"]
    draft, sent = _draft(made), _draft(made)
    documents.mark_sent(principal, "invoice", sent.doc_id)
    first = milestones.create_milestone(principal, pid, MilestoneInput(title="A", invoice_id=draft.doc_id))
    second = milestones.create_milestone(principal, pid, MilestoneInput(title="B", invoice_id=sent.doc_id))
    milestones.delete_milestone(principal, pid, first.milestone_id)
    milestones.delete_milestone(principal, pid, second.milestone_id)
    project = projects.get_project(principal, pid)
    assert set(project.invoice_ids or ()) == {sent.doc_id} and project.milestone_order == []
    assert docs.get_document(principal.business_id, draft.doc_id).project_id is None  # type: ignore[union-attr]
    assert docs.get_document(principal.business_id, sent.doc_id).project_id == pid  # type: ignore[union-attr]


def test_other_features_add_what_waits_on_the_client(made: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    pid, principal = made["project"].project_id, made["principal"]
    milestones.create_milestone(principal, pid, MilestoneInput(title="Design", status="active"))
    access = PortalAccess(principal.business_id, made["client_id"], made["contact_id"], None)
    monkeypatch.setattr(client_projects, "WAITING_HOOKS",
                        [*client_projects.WAITING_HOOKS, lambda _access, view: [f"Approve the logo of {view.project.name}"]])
    [shown] = client_projects.projects_tab(access)["projects"]
    assert shown["waiting"] == ["Milestone in progress: Design", "Approve the logo of Site"]
    page = client_projects.project_page(access, pid)
    assert page["project"]["waiting_count"] == 2
