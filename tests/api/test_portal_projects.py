"""The client's side of projects: the portal's Projects tab (progress, next milestone, what waits
on them) and a project's page (timeline, files by their policies, invoices); another client's
project is a 404, and a removed contact loses it all."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, Tenant
from tests.support.client_flows import JSON, assert_client_headers, attach, signed_in
from tests.support.portal import client_with_contact, make_document, portal_link
from tests.support.projects import add_milestone, make_project

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def _website(tenant: Tenant, client_id: str) -> dict[str, Any]:
    """A project with one milestone done, one in progress billing through an invoice (sent), one planned."""
    project = make_project(tenant, client_id, description="A new site")
    done = add_milestone(tenant, project["id"], "Discovery")
    invoice = make_document(tenant, client_id, amount=120000, send=False)
    active = add_milestone(tenant, project["id"], "Design", status="active", invoice_id=invoice["id"],
                           due_date="2027-02-01")
    add_milestone(tenant, project["id"], "Launch")
    assert tenant.api.post(f"/api/v1/projects/{project['id']}/milestones/{done['id']}/complete").status == 200
    assert tenant.api.post(f"/api/v1/invoices/{invoice['id']}/send").status == 200
    return {**project, "invoice": invoice, "active": active}


def test_the_projects_tab_lists_active_and_on_hold_projects_with_what_waits(tenant: Tenant, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    website = _website(tenant, client_id)
    make_project(tenant, client_id, name="App", status="on_hold")
    make_project(tenant, client_id, name="Someday", status="planned")
    make_project(tenant, client_id, name="Old site", status="done")
    other_client, _ = client_with_contact(tenant, "Other Co", "o@other.test")
    make_project(tenant, other_client, name="Their project")
    path = portal_link(tenant, client_id, contact_id)

    view = anonymous.get(f"{path}?tab=projects", headers=JSON).json
    assert "projects" in view["tabs"]
    by_name = {p["name"]: p for p in view["projects"]}
    assert set(by_name) == {"Website relaunch", "App"}
    site = by_name["Website relaunch"]
    assert site["progress"] == 33 and site["status"] == "active"
    assert site["next_milestone"]["title"] == "Design" and site["next_milestone"]["due_date"] == "2027-02-01"
    assert site["waiting_count"] == 2  # the milestone in progress, the invoice to pay
    assert any(website["invoice"]["number"] in line for line in site["waiting"])
    assert by_name["App"]["status"] == "on_hold" and by_name["App"]["waiting_count"] == 0

    page = anonymous.get(f"{path}?tab=projects")
    assert page.status == 200
    assert_client_headers(page)
    assert "Website relaunch" in page.text and "2 waiting on you" in page.text and "Their project" not in page.text
    assert f'{path}/projects/{website["id"]}' in page.text


def test_the_tab_costs_four_dynamodb_calls_and_one_per_project(
        tenant: Tenant, anonymous: Api, dynamodb_calls: list[str]) -> None:
    client_id, contact_id = client_with_contact(tenant)
    for _ in range(3):
        _website(tenant, client_id)
    path = portal_link(tenant, client_id, contact_id)
    dynamodb_calls.clear()
    assert anonymous.get(f"{path}?tab=projects").status == 200
    # The link's token, the business with the contact, the client's projects index, their invoices;
    # then each project's deliverables awaiting approval.
    assert len(dynamodb_calls) <= 4 + 3 and "Scan" not in dynamodb_calls, dynamodb_calls


def test_the_page_shows_deliverables_awaiting_approval_and_the_conversation(tenant: Tenant, anonymous: Api) -> None:
    from tests.support.approvals import awaiting_approval

    made = awaiting_approval(tenant)
    view = anonymous.get(f"{made.portal}/projects/{made.project_id}", headers=JSON).json
    assert [d["id"] for d in view["deliverables"]] == [made.deliverable_id]
    assert any(line.startswith("Approve or request changes") for line in view["project"]["waiting"])
    assert view["conversation"]["project_id"] == made.project_id
    page = anonymous.get(f"{made.portal}/projects/{made.project_id}").text
    assert 'data-testid="deliverables"' in page and 'data-testid="conversation"' in page
    assert f"{made.portal}/projects/{made.project_id}/deliverables/{made.deliverable_id}" in page
    tab = anonymous.get(f"{made.portal}?tab=projects", headers=JSON).json
    assert tab["projects"][0]["waiting_count"] == 1


def test_the_project_page_shows_the_timeline_its_files_and_its_invoices(tenant: Tenant, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    website = _website(tenant, client_id)
    make_document(tenant, client_id, amount=777700)  # the client's, not the project's: not on the page
    attach(tenant, tenant.file(title="Wireframes"), "project", website["id"], "visible")
    attach(tenant, tenant.file(title="Final logo"), "project", website["id"], "manual")
    attach(tenant, tenant.file(title="Internal notes"), "project", website["id"], "internal")
    other = make_project(tenant, client_id, name="Other")
    attach(tenant, tenant.file(title="Other brief"), "project", other["id"], "visible")
    path = portal_link(tenant, client_id, contact_id)

    view = anonymous.get(f"{path}/projects/{website['id']}", headers=JSON).json
    assert [(m["title"], m["status"]) for m in view["milestones"]] == [
        ("Discovery", "done"), ("Design", "active"), ("Launch", "planned")]
    assert view["milestones"][1]["invoice_id"] == website["invoice"]["id"]
    assert {f["title"]: f["status"] for f in view["files"]} == {"Wireframes": "available",
                                                              "Final logo": "waiting for release"}
    assert [f["title"] for f in view["files"] if f["download_url"]] == ["Wireframes"]
    [invoice] = view["invoices"]
    assert invoice["number"] == website["invoice"]["number"] and invoice["balance"]["amount"] == 120000
    assert view["project"]["waiting_count"] == 2

    page = anonymous.get(f"{path}/projects/{website['id']}")
    assert page.status == 200
    assert_client_headers(page)
    assert "Wireframes" in page.text and "Internal notes" not in page.text and "Other brief" not in page.text
    assert f"{path}/invoices/{website['invoice']['id']}" in page.text  # into the existing invoice page
    assert anonymous.get(f"{path}/invoices/{website['invoice']['id']}").status == 200
    assert "7,777.00" not in page.text


def test_a_draft_milestone_invoice_stays_off_the_clients_page(tenant: Tenant, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    project = make_project(tenant, client_id)
    draft = make_document(tenant, client_id, send=False)
    add_milestone(tenant, project["id"], "Design", invoice_id=draft["id"])
    view = anonymous.get(f"{portal_link(tenant, client_id, contact_id)}/projects/{project['id']}", headers=JSON).json
    assert view["invoices"] == [] and view["milestones"][0]["invoice_id"] is None


def test_another_clients_or_businesses_project_is_a_404(
        tenant: Tenant, anonymous: Api, make_tenant: Any) -> None:
    client_id, contact_id = client_with_contact(tenant)
    mine = make_project(tenant, client_id)
    other_client, _ = client_with_contact(tenant, "Other Co", "o@other.test")
    theirs = make_project(tenant, other_client, name="Secret plan")
    elsewhere = make_tenant("Other Business")
    foreign = make_project(elsewhere, elsewhere.client_id(), name="Foreign")
    planned = make_project(tenant, client_id, name="Not yet", status="planned")
    path = portal_link(tenant, client_id, contact_id)
    assert anonymous.get(f"{path}/projects/{mine['id']}").status == 200
    for project in (theirs, foreign, planned):
        reply = anonymous.get(f"{path}/projects/{project['id']}")
        assert reply.status == 404 and "Secret plan" not in reply.text
    assert anonymous.get(f"{path}/projects/not..an..id").status == 404


def test_a_removed_contact_loses_the_projects(tenant: Tenant, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    project = make_project(tenant, client_id)
    path = portal_link(tenant, client_id, contact_id)
    assert anonymous.get(f"{path}/projects/{project['id']}").status == 200
    assert tenant.api.delete(f"/api/v1/clients/{client_id}/contacts/{contact_id}").status == 200
    assert anonymous.get(f"{path}/projects/{project['id']}").status == 404
    assert anonymous.get(f"{path}?tab=projects").status == 404


def test_a_signed_in_contact_opens_the_project_under_portal_me(tenant: Tenant, anonymous: Api, outbox: Any) -> None:
    client_id, _ = client_with_contact(tenant, "Acme", "ada@acme.test")
    project = make_project(tenant, client_id)
    cookie = signed_in(tenant, anonymous, outbox)
    reply = anonymous.get(f"/portal/me/projects/{project['id']}", headers={"Cookie": cookie, **JSON})
    assert reply.status == 200 and reply.json["project"]["name"] == "Website relaunch"
    assert anonymous.get(f"/portal/me/projects/{project['id']}").status == 404  # no session


def test_a_business_can_turn_the_projects_tab_off(tenant: Tenant, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    project = make_project(tenant, client_id)
    path = portal_link(tenant, client_id, contact_id)
    assert tenant.api.patch("/api/v1/business", {"portal_tabs_off": ["projects"]}).status == 200
    assert anonymous.get(f"{path}?tab=projects").status == 404
    assert anonymous.get(f"{path}/projects/{project['id']}").status == 404
