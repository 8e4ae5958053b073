"""Adversarial review of projects and approvals over HTTP: names and titles a person must be able
to read, and a deliverable filed under a milestone of its own project only."""
from __future__ import annotations

from typing import Any

from tests.conftest import Tenant
from tests.support.approvals import png, project_for
from tests.support.client_flows import attach
from tests.support.portal import client_with_contact
from tests.support.projects import add_milestone, make_project

BLANKS = ("   ", "\u00a0", " \t ")


def test_blank_names_and_titles_are_refused_and_nothing_is_written(tenant: Tenant) -> None:
    client_id, _ = client_with_contact(tenant)
    project = make_project(tenant, client_id)
    milestone = add_milestone(tenant, project["id"], "Design")
    rid = tenant.file(png(), "a.png", title="Homepage", content_type="image/png")
    attach(tenant, rid, "project", project["id"], "visible")
    base = f"/api/v1/projects/{project['id']}"
    for blank in BLANKS:
        for reply, field in (
                (tenant.api.post("/api/v1/projects", {"client_id": client_id, "name": blank}), "name"),
                (tenant.api.patch(base, {"name": blank}), "name"),
                (tenant.api.post(f"{base}/milestones", {"title": blank}), "title"),
                (tenant.api.patch(f"{base}/milestones/{milestone['id']}", {"title": blank}), "title"),
                (tenant.api.post("/api/v1/approvals", {"resource_id": rid, "project_id": project["id"],
                                                       "title": blank}), "title")):
            assert reply.status == 400, (repr(blank), reply.body)
            assert reply.error["field"] == field and "blank" in reply.error["message"], reply.body
    shown = tenant.api.get(base).json
    assert shown["name"] == "Website relaunch" and [m["title"] for m in shown["milestones"]] == ["Design"]
    assert [p["name"] for p in tenant.api.get("/api/v1/projects").json["items"]] == ["Website relaunch"]
    assert tenant.api.get("/api/v1/approvals").json["items"] == []


def test_a_deliverable_names_a_milestone_of_its_own_project_only(tenant: Tenant) -> None:
    client_id, _ = client_with_contact(tenant)
    project, other = project_for(tenant, client_id), project_for(tenant, client_id, "Other project")
    theirs = add_milestone(tenant, other, "Their milestone")
    mine = add_milestone(tenant, project, "Design")
    rid = tenant.file(png(), "a.png", title="Homepage", content_type="image/png")
    attach(tenant, rid, "project", project, "visible")
    body: dict[str, Any] = {"resource_id": rid, "project_id": project}
    for milestone_id in ("no-such-milestone", theirs["id"]):
        reply = tenant.api.post("/api/v1/approvals", {**body, "milestone_id": milestone_id})
        assert reply.status == 404 and reply.error["field"] == "milestone_id", reply.body
    assert tenant.api.get("/api/v1/approvals").json["items"] == []
    made = tenant.api.post("/api/v1/approvals", {**body, "milestone_id": mine["id"]})
    assert made.status == 201 and made.json["milestone_id"] == mine["id"]


def test_a_draft_a_milestone_bills_through_is_neither_deleted_nor_moved_to_another_client(tenant: Tenant) -> None:
    from tests.support.portal import make_document

    client_id, _ = client_with_contact(tenant)
    other_client, _ = client_with_contact(tenant, "Other Co", "o@other.test")
    project = make_project(tenant, client_id)
    invoice = make_document(tenant, client_id, send=False)
    milestone = add_milestone(tenant, project["id"], "Design", invoice_id=invoice["id"])
    deleted = tenant.api.delete(f"/api/v1/invoices/{invoice['id']}")
    assert deleted.status == 409 and "milestone" in deleted.error["message"], deleted.body
    moved = tenant.api.patch(f"/api/v1/invoices/{invoice['id']}", {"client_id": other_client})
    assert moved.status == 409 and moved.error["field"] == "client_id", moved.body
    assert tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json["client_id"] == client_id
    # Completing still issues it to the project's client.
    done = tenant.api.post(f"/api/v1/projects/{project['id']}/milestones/{milestone['id']}/complete")
    assert done.status == 200 and done.json["invoice"]["status"] == "sent", done.body

    # A draft given back (the milestone bills through none now) is the business's to delete again.
    second = make_document(tenant, client_id, send=False)
    other = add_milestone(tenant, project["id"], "Launch", invoice_id=second["id"])
    path = f"/api/v1/projects/{project['id']}/milestones/{other['id']}"
    assert tenant.api.patch(path, {"invoice_id": None}).status == 200
    assert tenant.api.delete(f"/api/v1/invoices/{second['id']}").status == 200
