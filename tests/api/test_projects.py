"""Staff projects and milestones: add, edit, reorder, complete (which issues the milestone's
invoice once, even when two staff press it at once), delete; bad input and other businesses' ids."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import Tenant
from tests.support.portal import client_with_contact, make_document
from tests.support.projects import add_milestone, inbox, make_project, race


def _project(tenant: Tenant, project_id: str) -> dict[str, Any]:
    reply = tenant.api.get(f"/api/v1/projects/{project_id}")
    assert reply.status == 200, reply.body
    return reply.json  # type: ignore[no-any-return]


def test_a_project_lists_its_milestones_in_order_with_progress(tenant: Tenant) -> None:
    client_id, _ = client_with_contact(tenant)
    project = make_project(tenant, client_id, description="New site", status="planned")
    assert project["status"] == "planned"
    design = add_milestone(tenant, project["id"], "Design", due_date="2027-01-15", status="active")
    build = add_milestone(tenant, project["id"], "Build")
    launch = add_milestone(tenant, project["id"], "Launch")
    shown = _project(tenant, project["id"])
    assert [m["title"] for m in shown["milestones"]] == ["Design", "Build", "Launch"]
    assert shown["progress"] == 0 and shown["next_milestone_id"] == design["id"]
    assert shown["milestones"][0]["due_date"] == "2027-01-15" and shown["milestones"][0]["status"] == "active"

    done = tenant.api.post(f"/api/v1/projects/{project['id']}/milestones/{design['id']}/complete")
    assert done.status == 200 and done.json["milestone"]["status"] == "done" and done.json["invoice"] is None
    shown = _project(tenant, project["id"])
    assert shown["progress"] == 33 and shown["next_milestone_id"] == build["id"]

    # Staff may say how far along it is instead; null gives the milestones' share back.
    assert tenant.api.patch(f"/api/v1/projects/{project['id']}", {"progress": 80, "status": "on_hold"}).json["progress"] == 80
    assert _project(tenant, project["id"])["status"] == "on_hold"
    assert tenant.api.patch(f"/api/v1/projects/{project['id']}", {"progress": None}).json["progress"] == 33

    edited = tenant.api.patch(f"/api/v1/projects/{project['id']}/milestones/{launch['id']}",
                              {"title": "Go live", "due_date": None, "description": "DNS switch"})
    assert edited.status == 200 and edited.json["title"] == "Go live" and edited.json["description"] == "DNS switch"

    order = [launch["id"], design["id"], build["id"]]
    reordered = tenant.api.call("PUT", f"/api/v1/projects/{project['id']}/milestones", {"order": order})
    assert reordered.status == 200, reordered.body
    assert [m["title"] for m in reordered.json["milestones"]] == ["Go live", "Design", "Build"]

    assert tenant.api.delete(f"/api/v1/projects/{project['id']}/milestones/{build['id']}").status == 200
    shown = _project(tenant, project["id"])
    assert [m["title"] for m in shown["milestones"]] == ["Go live", "Design"] and shown["progress"] == 50


def test_a_reorder_must_name_exactly_the_current_milestones(tenant: Tenant) -> None:
    client_id, _ = client_with_contact(tenant)
    project = make_project(tenant, client_id)
    a, b = (add_milestone(tenant, project["id"], t)["id"] for t in ("A", "B"))
    path = f"/api/v1/projects/{project['id']}/milestones"
    for order in ([a], [a, a, b], [a, b, "not-a-milestone"], [b, "zzz"]):
        reply = tenant.api.call("PUT", path, {"order": order})
        assert reply.status == 400 and reply.error["field"] == "order", (order, reply.body)
    assert [m["id"] for m in _project(tenant, project["id"])["milestones"]] == [a, b]  # nothing written


def test_completing_a_milestone_sends_its_invoice_and_tells_the_client(tenant: Tenant) -> None:
    client_id, contact_id = client_with_contact(tenant)
    project = make_project(tenant, client_id)
    invoice = make_document(tenant, client_id, amount=250000, send=False)
    milestone = add_milestone(tenant, project["id"], "Design", invoice_id=invoice["id"])
    assert tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json["status"] == "draft"
    assert _project(tenant, project["id"])["invoice_ids"] == [invoice["id"]]

    done = tenant.api.post(f"/api/v1/projects/{project['id']}/milestones/{milestone['id']}/complete")
    assert done.status == 200, done.body
    assert done.json["invoice"] == {"id": invoice["id"], "number": invoice["number"], "status": "sent"}
    assert tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json["status"] == "sent"
    told = inbox(tenant.business_id, f"contact#{client_id}#{contact_id}")
    assert sorted(n.category for n in told) == ["invoices", "milestones"]
    assert {n.portal_path for n in told} == {f"projects/{project['id']}", f"invoices/{invoice['id']}"}
    # Done is done: a second press is refused, and sends nothing.
    again = tenant.api.post(f"/api/v1/projects/{project['id']}/milestones/{milestone['id']}/complete")
    assert again.status == 409
    assert len(inbox(tenant.business_id, f"contact#{client_id}#{contact_id}")) == 2


def test_with_the_draft_setting_the_invoice_waits_for_staff(tenant: Tenant) -> None:
    assert tenant.api.patch("/api/v1/business", {"milestone_invoice_action": "draft"}).json[
        "milestone_invoice_action"] == "draft"
    client_id, contact_id = client_with_contact(tenant)
    project = make_project(tenant, client_id)
    invoice = make_document(tenant, client_id, send=False)
    milestone = add_milestone(tenant, project["id"], "Design", invoice_id=invoice["id"])
    done = tenant.api.post(f"/api/v1/projects/{project['id']}/milestones/{milestone['id']}/complete")
    assert done.status == 200 and done.json["invoice"]["status"] == "draft"
    assert [n.category for n in inbox(tenant.business_id, f"contact#{client_id}#{contact_id}")] == ["milestones"]
    [ready] = inbox(tenant.business_id, "staff")
    assert ready.category == "invoices" and invoice["number"] in ready.title
    assert tenant.api.patch("/api/v1/business", {"milestone_invoice_action": "mail"}).status == 400


def test_two_staff_completing_at_once_issue_the_invoice_once(
        tenant: Tenant, member_of: Callable[[Tenant, str], Any]) -> None:
    client_id, contact_id = client_with_contact(tenant)
    project = make_project(tenant, client_id)
    invoice = make_document(tenant, client_id, send=False)
    milestone = add_milestone(tenant, project["id"], "Design", invoice_id=invoice["id"])
    staff = [tenant.api, member_of(tenant, "staff"), member_of(tenant, "admin"), member_of(tenant, "staff")]
    path = f"/api/v1/projects/{project['id']}/milestones/{milestone['id']}/complete"
    turns = iter(staff)
    callers = [next(turns) for _ in staff]
    replies = race(len(callers), lambda: callers.pop().post(path))
    assert sorted(r.status for r in replies) == [200, 409, 409, 409], [r.body for r in replies]
    assert tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json["status"] == "sent"
    told = inbox(tenant.business_id, f"contact#{client_id}#{contact_id}")
    assert sorted(n.category for n in told) == ["invoices", "milestones"]


def test_a_milestone_bills_only_through_an_invoice_of_the_projects_client(tenant: Tenant) -> None:
    client_id, _ = client_with_contact(tenant)
    other_client, _ = client_with_contact(tenant, "Other Co", "o@other.test")
    project = make_project(tenant, client_id)
    path = f"/api/v1/projects/{project['id']}/milestones"
    theirs = make_document(tenant, other_client, send=False)
    assert tenant.api.post(path, {"title": "X", "invoice_id": theirs["id"]}).status == 400
    assert tenant.api.post(path, {"title": "X", "invoice_id": "unknown-invoice"}).status == 404
    mine = make_document(tenant, client_id, send=False)
    milestone = add_milestone(tenant, project["id"], "A", invoice_id=mine["id"])
    second = make_project(tenant, client_id, name="Other project")
    reply = tenant.api.post(f"/api/v1/projects/{second['id']}/milestones", {"title": "B", "invoice_id": mine["id"]})
    assert reply.status == 409  # billed through the first project already
    # Moving the milestone to another invoice gives the first draft back.
    other = make_document(tenant, client_id, send=False)
    moved = tenant.api.patch(f"{path}/{milestone['id']}", {"invoice_id": other["id"]})
    assert moved.status == 200 and moved.json["invoice_id"] == other["id"]
    assert _project(tenant, project["id"])["invoice_ids"] == [other["id"]]
    assert tenant.api.post(f"/api/v1/projects/{second['id']}/milestones", {"title": "B", "invoice_id": mine["id"]}).status == 201


def test_bad_input_is_refused_in_words_and_writes_nothing(tenant: Tenant) -> None:
    client_id, _ = client_with_contact(tenant)
    project = make_project(tenant, client_id)
    path = f"/api/v1/projects/{project['id']}/milestones"
    for body, field in (({}, "title"), ({"title": ""}, "title"), ({"title": "x" * 201}, "title"),
                        ({"title": "A", "status": "done"}, "status"), ({"title": "A", "due_date": "soon"}, "due_date"),
                        ({"title": "A", "colour": "red"}, "colour")):
        reply = tenant.api.post(path, body)
        assert reply.status == 400, (body, reply.body)
        assert reply.error["field"] == field and reply.error["message"], reply.body
    assert tenant.api.patch(f"/api/v1/projects/{project['id']}", {"status": "completed"}).status == 400
    assert tenant.api.patch(f"/api/v1/projects/{project['id']}", {"progress": 101}).status == 400
    assert tenant.api.post("/api/v1/projects", {"client_id": client_id, "name": "X", "status": "archived"}).status == 400
    assert _project(tenant, project["id"])["milestones"] == []
    # An empty invoice cannot be sent: completing refuses before anything changes.
    empty = tenant.api.post("/api/v1/invoices", {"client_id": client_id}).json
    milestone = add_milestone(tenant, project["id"], "A", invoice_id=empty["id"])
    assert tenant.api.post(f"{path}/{milestone['id']}/complete").status in (400, 409)
    assert _project(tenant, project["id"])["milestones"][0]["status"] == "planned"


def test_another_business_cannot_see_or_touch_a_project(tenant: Tenant, make_tenant: Callable[..., Tenant]) -> None:
    client_id, _ = client_with_contact(tenant)
    project = make_project(tenant, client_id)
    milestone = add_milestone(tenant, project["id"], "Design")
    other = make_tenant("Other Business")
    base = f"/api/v1/projects/{project['id']}"
    assert other.api.get(base).status == 404
    assert other.api.post(f"{base}/milestones", {"title": "Mine now"}).status == 404
    assert other.api.call("PUT", f"{base}/milestones", {"order": [milestone["id"]]}).status == 404
    assert other.api.patch(f"{base}/milestones/{milestone['id']}", {"title": "x"}).status == 404
    assert other.api.post(f"{base}/milestones/{milestone['id']}/complete").status == 404
    assert other.api.delete(f"{base}/milestones/{milestone['id']}").status == 404
    # Nor can a project of one business bill through another business's invoice.
    foreign = make_document(other, other.client_id(), send=False)
    assert tenant.api.post(f"{base}/milestones", {"title": "X", "invoice_id": foreign["id"]}).status == 404
    shown = _project(tenant, project["id"])
    assert [m["title"] for m in shown["milestones"]] == ["Design"] and shown["milestones"][0]["status"] == "planned"


def test_projects_written_with_the_old_statuses_read_as_done(tenant: Tenant) -> None:
    from chalicelib.store import projects as store

    client_id, _ = client_with_contact(tenant)
    project = make_project(tenant, client_id)
    stored = store.get_project(tenant.business_id, project["id"])
    assert stored is not None
    # As stored before: an old status, no place in the client's projects index.
    stored.update(actions=[store.Project.status.set("archived"), store.Project.gsi1pk.remove(),
                           store.Project.gsi1sk.remove()])
    assert _project(tenant, project["id"])["status"] == "done"
    assert [p["status"] for p in tenant.api.get("/api/v1/projects").json["items"]] == ["done"]
    assert store.client_projects(tenant.business_id, client_id) == []
    # Its next edit puts it in the client's portal.
    assert tenant.api.patch(f"/api/v1/projects/{project['id']}", {"status": "active"}).status == 200
    assert [p.project_id for p in store.client_projects(tenant.business_id, client_id)] == [project["id"]]
