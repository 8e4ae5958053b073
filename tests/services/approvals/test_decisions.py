"""Approvals in the service layer: one decision per version whatever the timing, and a decision
never lands on a version the client did not see."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.domain.approvals_inputs import DeliverableDecisionInput
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.services.approvals import client_approvals as approvals
from chalicelib.services.approvals import deliverables
from chalicelib.services.identity.staff_auth import verify_id_token
from chalicelib.services.portal.portal import PortalAccess
from tests.support.approvals import Awaiting, awaiting_approval, png, upload

HERE = approvals.Where("198.51.100.7", "pytest")


def _race(actions: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = actions[i]()
        except Exception as e:
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _contacts(tenant: Any, a: Awaiting, n: int) -> list[PortalAccess]:
    accesses = [PortalAccess(tenant.business_id, a.client_id, a.contact_id, None)]
    for i in range(n - 1):
        made = tenant.api.post(f"/api/v1/clients/{a.client_id}/contacts", {"name": f"C{i}", "email": f"c{i}@portal.test"})
        accesses.append(PortalAccess(tenant.business_id, a.client_id, made.json["contact_id"], None))
    return accesses


def test_four_contacts_deciding_at_once_make_exactly_one_decision(tenant: Any) -> None:
    a = awaiting_approval(tenant)
    people = _contacts(tenant, a, 4)
    decisions = ["approved", "changes_requested", "approved", "changes_requested"]
    results = _race([
        (lambda who=who, what=what: approvals.decide(who, a.project_id, a.deliverable_id, what,
                                                     DeliverableDecisionInput(version="1", comment="mine"), HERE))
        for who, what in zip(people, decisions, strict=True)])
    won = [r for r in results if isinstance(r, deliverables.History)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 3, results
    version = won[0].versions[0]
    assert all(f"by {version.decided_by_name}" in e.message for e in lost)
    stored = deliverables.history(tenant.business_id, a.deliverable_id)
    assert stored.deliverable.status == version.decision == stored.versions[0].decision
    assert stored.versions[0].decided_ip == "198.51.100.7"


def test_a_decision_racing_a_new_version_never_decides_the_new_one(tenant: Any) -> None:
    a = awaiting_approval(tenant)
    principal = verify_id_token(tenant.api.token)
    from chalicelib.domain.inputs import FileSpec

    content = png(700, 700)
    plan = deliverables.start_new_version(principal, a.deliverable_id,
                                          FileSpec(filename="v2.png", size=len(content), content_type="image/png"))
    upload(plan, content, "image/png")
    access = PortalAccess(tenant.business_id, a.client_id, a.contact_id, None)
    results = _race([
        lambda: approvals.decide(access, a.project_id, a.deliverable_id, "approved",
                                 DeliverableDecisionInput(version="1"), HERE),
        lambda: deliverables.confirm_new_version(principal, a.deliverable_id)])
    stored = deliverables.history(tenant.business_id, a.deliverable_id)
    assert [v.decision for v in stored.versions[1:]] == [None] * (len(stored.versions) - 1)
    if isinstance(results[0], deliverables.History):  # the decision came first: version 1 is approved
        assert stored.versions[0].decision == "approved"
    else:
        assert isinstance(results[0], Conflict) and stored.versions[0].decision is None
    if isinstance(results[1], deliverables.History):
        assert stored.deliverable.status == "pending" and int(stored.deliverable.current_version) == 2


def test_a_contact_of_another_client_cannot_see_or_decide(tenant: Any) -> None:
    a = awaiting_approval(tenant)
    stranger = PortalAccess(tenant.business_id, "another-client", a.contact_id, None)
    with pytest.raises(NotFound):
        approvals.open_deliverable(stranger, a.project_id, a.deliverable_id)
    with pytest.raises(NotFound):
        approvals.deliverables_for_portal(stranger, a.project_id)
    with pytest.raises(NotFound):
        approvals.decide(stranger, a.project_id, a.deliverable_id, "approved", DeliverableDecisionInput(version="1"), HERE)


def test_the_project_page_lists_its_deliverables_for_the_client(tenant: Any) -> None:
    a = awaiting_approval(tenant)
    access = PortalAccess(tenant.business_id, a.client_id, a.contact_id, None)
    [listed] = approvals.deliverables_for_portal(access, a.project_id)
    assert listed == {"id": a.deliverable_id, "title": "Homepage design", "status": "pending",
                      "status_label": "Awaiting approval", "version": 1, "updated_at": listed["updated_at"],
                      "waiting": True, "path": f"projects/{a.project_id}/deliverables/{a.deliverable_id}"}
    from chalicelib.api import html

    rendered = html._environment().get_template("portal_project_deliverables.html").render(
        deliverables=[listed], base="/portal/me")
    assert f'href="/portal/me/projects/{a.project_id}/deliverables/{a.deliverable_id}"' in rendered
    assert "Awaiting approval" in rendered
