"""Review of issue 14's notifications: every way an invoice is sent tells the client once ("New
invoice" in the portal list; emailed by the digest unless the same action emailed the invoice
itself), and a file reaching the client tells it once ("New file")."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.conftest import Api, Tenant
from tests.support.client_flows import JSON
from tests.support.portal import client_with_contact, make_document, portal_link
from tests.support.projects import add_milestone, make_project


def _listed(anonymous: Api, portal: str, category: str | None = None) -> list[dict[str, Any]]:
    reply = anonymous.get(f"{portal}/notifications", headers=JSON)
    assert reply.status == 200, reply.body
    return [i for i in reply.json["items"] if category is None or category in i["title"]]


def _pending_digest(tenant: Tenant, client_id: str, contact_id: str) -> Any:
    from chalicelib.store.notifications import contact_recipient, get_pending

    return get_pending(tenant.business_id, contact_recipient(client_id, contact_id))


def test_staff_sending_an_invoice_puts_new_invoice_in_the_clients_list_and_digest(
        tenant: Tenant, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    portal = portal_link(tenant, client_id, contact_id)
    invoice = make_document(tenant, client_id, amount=12500)  # staff press Send
    [item] = _listed(anonymous, portal, "New invoice")
    assert invoice["number"] in item["title"] and item["unread"]
    assert item["link"].endswith(f"{portal}/invoices/{invoice['id']}")
    assert _pending_digest(tenant, client_id, contact_id) is not None  # the digest emails it
    assert anonymous.get(urlsplit(item["link"]).path).status == 200  # the link opens the invoice


def test_emailing_a_draft_lists_it_but_the_digest_does_not_email_it_again(
        tenant: Tenant, anonymous: Api, outbox: Any) -> None:
    client_id, contact_id = client_with_contact(tenant)
    portal = portal_link(tenant, client_id, contact_id)
    draft = make_document(tenant, client_id, send=False)
    assert tenant.api.post(f"/api/v1/invoices/{draft['id']}/email").status == 200
    assert len(outbox.to("pat@portal.test")) == 1  # the invoice itself
    [item] = _listed(anonymous, portal, "New invoice")
    assert draft["number"] in item["title"]
    assert _pending_digest(tenant, client_id, contact_id) is None  # no second email about it


def test_a_milestone_sending_its_invoice_tells_the_client_once(tenant: Tenant, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    portal = portal_link(tenant, client_id, contact_id)
    project = make_project(tenant, client_id, status="active")
    invoice = make_document(tenant, client_id, send=False)
    milestone = add_milestone(tenant, project["id"], "Design", invoice_id=invoice["id"])
    done = tenant.api.post(f"/api/v1/projects/{project['id']}/milestones/{milestone['id']}/complete")
    assert done.status == 200, done.body
    assert len(_listed(anonymous, portal, "New invoice")) == 1


def test_a_file_attached_open_tells_the_client_once_even_after_revoke_and_release(
        tenant: Tenant, anonymous: Api) -> None:
    from tests.support.client_flows import attach

    client_id, contact_id = client_with_contact(tenant)
    portal = portal_link(tenant, client_id, contact_id)
    project = make_project(tenant, client_id, status="active")
    rid = tenant.file(b"brand guide", "guide.pdf", title="Brand guide", content_type="application/pdf")
    [grant] = attach(tenant, rid, "project", project["id"], "visible")["grants"]
    [item] = _listed(anonymous, portal, "New file")
    assert "Brand guide" in item["title"] and item["link"].endswith(f"{portal}/projects/{project['id']}")
    for action in ("revoke", "release", "lock", "release"):
        reply = tenant.api.post(f"/api/v1/resources/{rid}/grants/{grant['grant_id']}/{action}")
        assert reply.status == 200, (action, reply.body)
    attach(tenant, rid, "client", client_id, "visible")  # the same file through another way: still once
    assert len(_listed(anonymous, portal, "New file")) == 1


def test_a_file_locked_until_payment_tells_the_client_when_the_invoice_is_paid(
        tenant: Tenant, anonymous: Api) -> None:
    from tests.support.client_flows import attach

    client_id, contact_id = client_with_contact(tenant)
    portal = portal_link(tenant, client_id, contact_id)
    invoice = make_document(tenant, client_id, amount=5000)
    rid = tenant.file(b"final logo", "logo.svg", title="Final logo", content_type="image/svg+xml")
    attach(tenant, rid, "invoice", invoice["id"], "after_payment")
    manual = tenant.file(b"notes", "notes.txt", title="Kick-off notes", content_type="text/plain")
    attach(tenant, manual, "client", client_id, "manual")
    internal = tenant.file(b"costs", "costs.txt", title="Our costs", content_type="text/plain")
    attach(tenant, internal, "client", client_id, "internal")
    assert _listed(anonymous, portal, "New file") == []  # nothing is theirs yet
    paid = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {"amount": 5000})
    assert paid.status in (200, 201), paid.body
    [item] = _listed(anonymous, portal, "New file")
    assert "Final logo" in item["title"]


def test_a_deliverables_full_file_follows_its_attachments_access(tenant: Tenant, anonymous: Api) -> None:
    """The preview is for approving; the whole file opens only as the file's policy allows."""
    from tests.support.approvals import png
    from tests.support.client_flows import attach

    client_id, contact_id = client_with_contact(tenant)
    portal = portal_link(tenant, client_id, contact_id)
    project = make_project(tenant, client_id, status="active")
    pages = {}
    for policy in ("manual", "internal"):
        rid = tenant.file(png(), f"{policy}.png", title=f"Design ({policy})", content_type="image/png")
        attach(tenant, rid, "project", project["id"], policy)
        marked = tenant.api.post("/api/v1/approvals", {"resource_id": rid, "project_id": project["id"]})
        assert marked.status == 201, marked.body
        pages[policy] = f"{portal}/projects/{project['id']}/deliverables/{marked.json['id']}"
    page = anonymous.get(pages["manual"], headers=JSON)
    assert page.status == 200 and page.json["preview"]["url"]  # still readable, to approve
    locked = anonymous.get(f"{pages['manual']}/file")
    assert locked.status == 403 and "not been released" in locked.text and "Location" not in locked.headers
    assert anonymous.get(f"{pages['internal']}/file").status == 404


def test_a_planned_project_is_not_the_clients_yet_anywhere_in_the_portal(tenant: Tenant, anonymous: Api) -> None:
    """Its page is a 404 (documented), and so are its deliverables and conversation; the client is not
    told of what it cannot open. Once active, all of it is theirs."""
    from tests.support.approvals import png
    from tests.support.client_flows import attach

    client_id, contact_id = client_with_contact(tenant)
    portal = portal_link(tenant, client_id, contact_id)
    project = make_project(tenant, client_id, status="planned")
    pid = project["id"]
    rid = tenant.file(png(), "home.png", title="Homepage", content_type="image/png")
    attach(tenant, rid, "project", pid, "visible")
    deliverable = tenant.api.post("/api/v1/approvals", {"resource_id": rid, "project_id": pid}).json["id"]
    milestone = add_milestone(tenant, pid, "Wireframes")
    assert tenant.api.post(f"/api/v1/projects/{pid}/milestones/{milestone['id']}/complete").status == 200
    page = f"{portal}/projects/{pid}/deliverables/{deliverable}"
    for path in (f"{portal}/projects/{pid}", page, f"{page}/file", f"{portal}/projects/{pid}/messages"):
        assert anonymous.get(path, headers=JSON).status == 404, path
    listed = _listed(anonymous, portal)
    assert [i for i in listed if f"/projects/{pid}" in i["link"]] == []  # no link to a page they cannot open
    assert [i["title"] for i in listed] == ["New file available: Homepage"]  # the Files tab has it
    assert listed[0]["link"].endswith(f"{portal}?tab=files")

    assert tenant.api.patch(f"/api/v1/projects/{pid}", {"status": "active"}).status == 200
    for path in (f"{portal}/projects/{pid}", page, f"{portal}/projects/{pid}/messages"):
        assert anonymous.get(path, headers=JSON).status == 200, path
