"""Adversarial review: one invoice bills through one project, even when two projects' milestones
claim it at the same moment (each read it unlinked)."""
from __future__ import annotations

from chalicelib.domain.errors import Conflict
from chalicelib.domain.inputs import DocumentInput, LineInput, ProjectInput
from chalicelib.domain.project_inputs import MilestoneInput
from chalicelib.services.billing import documents
from chalicelib.services.identity.staff_auth import verify_id_token
from chalicelib.services.projects import milestones, projects
from chalicelib.store import documents as docs
from chalicelib.store import projects as store
from tests.conftest import Tenant
from tests.support.portal import client_with_contact
from tests.support.projects import race


def test_two_projects_claiming_one_draft_at_once_leave_it_billed_through_one(tenant: Tenant) -> None:
    from chalicelib import clock

    principal = verify_id_token(str(tenant.api.token))
    client_id, _ = client_with_contact(tenant)
    site, app = (projects.create_project(principal, ProjectInput(client_id=client_id, name=n)) for n in ("Site", "App"))
    for _ in range(3):  # a race is a matter of timing: a few rounds, each must end with one owner
        draft = documents.create_document(principal, "invoice", DocumentInput(
            client_id=client_id, lines=[LineInput(description="Work", unit_price=5000)]), clock.today())
        claimants = [site, app]

        def claim(claimants: list[store.Project] = claimants, doc_id: str = draft.doc_id) -> store.Milestone:
            return milestones.create_milestone(principal, claimants.pop().project_id,
                                               MilestoneInput(title="Design", invoice_id=doc_id))

        results = race(2, claim)
        won = [r for r in results if isinstance(r, store.Milestone)]
        assert len(won) == 1 and isinstance(next(r for r in results if r not in won), Conflict), results
        owner = won[0].project_id
        stored = docs.get_document(tenant.business_id, draft.doc_id)
        assert stored is not None and stored.project_id == owner
        for project in (site, app):
            listed = draft.doc_id in (store.get_project(tenant.business_id, project.project_id).invoice_ids or ())
            assert listed == (project.project_id == owner)
