"""Notification lists with unread state: the team's in the dashboard API, each contact's own in the
portal; nobody reads or marks anyone else's, and a removed contact sees none."""
from __future__ import annotations

from typing import Any

from tests.conftest import Api, Tenant, unique_email
from tests.support.client_flows import FORM, JSON, assert_client_headers, signed_in
from tests.support.portal import portal_link


def _happens(tenant: Tenant, client_id: str, title: str, audience: str = "staff", **fields: Any) -> None:
    from chalicelib.services.notifications.activity import Activity, record

    record(Activity(tenant.business_id, client_id, fields.pop("category", "messages"), audience, title, **fields))


def _two_contacts(tenant: Tenant) -> tuple[str, str, str, str, str]:
    """A client with Ada and Bob; returns client id, their contact ids and Ada's address."""
    ada_email = unique_email("ada")
    reply = tenant.api.post("/api/v1/clients", {"name": "Acme Ltd", "contacts": [
        {"name": "Ada", "email": ada_email}, {"name": "Bob", "email": unique_email("bob")}]})
    assert reply.status == 201
    contacts = {c["name"]: c["contact_id"] for c in reply.json["contacts"]}
    return reply.json["client_id"], contacts["Ada"], contacts["Bob"], ada_email, ""


def test_the_team_list_shows_unread_newest_first_and_marks_read(tenant: Tenant) -> None:
    client_id = tenant.client_id()
    _happens(tenant, client_id, "Ada approved Logo v2", category="decisions", staff_path="/dashboard/projects/p1")
    _happens(tenant, client_id, "New message from Ada", text="Looks good!")
    listed = tenant.api.get("/api/v1/notifications")
    assert listed.status == 200
    assert [(i["title"], i["unread"], i["link"]) for i in listed.json["items"]] == [
        ("New message from Ada", True, "#/notifications"), ("Ada approved Logo v2", True, "#/projects/p1")]
    assert listed.json["unread"] == 2 and tenant.api.get("/api/v1/notifications?limit=1").json["unread"] == 2

    newest = listed.json["items"][0]["id"]
    assert tenant.api.post(f"/api/v1/notifications/{newest}/read").json == {"unread": 1, "unread_display": "1"}
    assert tenant.api.post(f"/api/v1/notifications/{newest}/read").json["unread"] == 1  # again: no change
    assert [i["unread"] for i in tenant.api.get("/api/v1/notifications").json["items"]] == [False, True]

    assert tenant.api.post("/api/v1/notifications/all/read").json["unread"] == 0
    _happens(tenant, client_id, "New file: Brand guide.pdf", category="files")
    after = tenant.api.get("/api/v1/notifications").json
    assert after["unread"] == 1 and [i["unread"] for i in after["items"]] == [True, False, False]


def test_the_team_list_pages(tenant: Tenant) -> None:
    client_id = tenant.client_id()
    for n in range(3):
        _happens(tenant, client_id, f"Message {n}")
    tenant.api.post("/api/v1/notifications/all/read")
    first = tenant.api.get("/api/v1/notifications?limit=2").json
    second = tenant.api.get(f"/api/v1/notifications?limit=2&cursor={first['next_cursor']}").json
    assert [i["title"] for i in first["items"] + second["items"]] == ["Message 2", "Message 1", "Message 0"]
    assert not any(i["unread"] for i in first["items"] + second["items"]) and second["next_cursor"] is None
    assert tenant.api.get("/api/v1/notifications?cursor=bogus").status == 400


def test_another_business_sees_none_and_cannot_mark_ours(tenant: Tenant, make_tenant: Any) -> None:
    _happens(tenant, tenant.client_id(), "New message from Ada")
    ours = tenant.api.get("/api/v1/notifications").json["items"][0]["id"]
    other = make_tenant("Other Co")
    assert other.api.get("/api/v1/notifications").json["items"] == []
    assert other.api.post(f"/api/v1/notifications/{ours}/read").status == 404
    assert tenant.api.get("/api/v1/notifications").json["unread"] == 1
    assert tenant.api.post("/api/v1/notifications/not%20an%20id/read").status == 404


def test_a_contact_sees_only_its_own_list_and_marks_it_read(tenant: Tenant, anonymous: Api) -> None:
    client_id, ada, bob, _, _ = _two_contacts(tenant)
    from chalicelib.store.notifications import contact_recipient

    _happens(tenant, client_id, "New message from Sam", audience="client", portal_path="projects/p1",
             actor=contact_recipient(client_id, bob))  # Bob's own act: only Ada is told
    _happens(tenant, client_id, "New file: Brand guide.pdf", audience="client", category="files")
    ada_portal, bob_portal = portal_link(tenant, client_id, ada), portal_link(tenant, client_id, bob)

    adas = anonymous.get(f"{ada_portal}/notifications", headers=JSON)
    assert_client_headers(adas)
    assert [i["title"] for i in adas.json["items"]] == ["New file: Brand guide.pdf", "New message from Sam"]
    assert adas.json["items"][1]["link"].endswith(f"{ada_portal}/projects/p1") and adas.json["unread"] == 2
    bobs = anonymous.get(f"{bob_portal}/notifications", headers=JSON).json
    assert [i["title"] for i in bobs["items"]] == ["New file: Brand guide.pdf"]

    adas_id = adas.json["items"][0]["id"]
    assert anonymous.call("POST", f"{bob_portal}/notifications/{adas_id}/read", "", headers=JSON).status == 404
    marked = anonymous.call("POST", f"{ada_portal}/notifications/{adas_id}/read", "", headers=FORM)
    assert marked.status == 303 and marked.headers["Location"].endswith(f"{ada_portal}/notifications")
    page = anonymous.get(f"{ada_portal}/notifications")
    assert page.status == 200 and "1 unread" in page.text and "Mark all read" in page.text
    assert_client_headers(page)
    assert anonymous.call("POST", f"{ada_portal}/notifications/all/read", "", headers=JSON).json["unread"] == 0
    assert "unread" not in anonymous.get(f"{ada_portal}/notifications").text.split("<h2>")[1].split("</h2>")[0]


def test_marking_read_from_another_site_is_refused(tenant: Tenant, anonymous: Api) -> None:
    client_id, ada, _, _, _ = _two_contacts(tenant)
    _happens(tenant, client_id, "New file", audience="client", category="files")
    path = portal_link(tenant, client_id, ada)
    reply = anonymous.call("POST", f"{path}/notifications/all/read", "",
                           headers={**FORM, "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert reply.status == 403
    assert anonymous.get(f"{path}/notifications", headers=JSON).json["unread"] == 1


def test_a_removed_contact_sees_no_notifications(tenant: Tenant, anonymous: Api) -> None:
    client_id, ada, _, _, _ = _two_contacts(tenant)
    _happens(tenant, client_id, "New file", audience="client", category="files")
    path = portal_link(tenant, client_id, ada)
    assert anonymous.get(f"{path}/notifications", headers=JSON).status == 200
    assert tenant.api.delete(f"/api/v1/clients/{client_id}/contacts/{ada}").status in (200, 204)
    assert anonymous.get(f"{path}/notifications", headers=JSON).status == 404
    assert anonymous.call("POST", f"{path}/notifications/all/read", "", headers=JSON).status == 404


def test_a_signed_in_contact_reads_its_list_at_portal_me(tenant: Tenant, anonymous: Api, outbox: Any) -> None:
    client_id, _, _, ada_email, _ = _two_contacts(tenant)
    _happens(tenant, client_id, "New file", audience="client", category="files")
    cookie = signed_in(tenant, anonymous, outbox, ada_email)
    mine = anonymous.get("/portal/me/notifications", headers={**JSON, "Cookie": cookie})
    assert mine.status == 200 and [i["title"] for i in mine.json["items"]] == ["New file"]
    assert anonymous.get("/portal/me/notifications", headers=JSON).status == 404  # no session


def test_the_portal_list_costs_at_most_three_dynamodb_calls(
        tenant: Tenant, anonymous: Api, dynamodb_calls: list[str]) -> None:
    client_id, ada, _, _, _ = _two_contacts(tenant)
    for n in range(3):
        _happens(tenant, client_id, f"New file {n}", audience="client", category="files")
    path = portal_link(tenant, client_id, ada)
    for _ in range(2):  # unread, then all read
        dynamodb_calls.clear()
        assert anonymous.get(f"{path}/notifications").status == 200
        assert len(dynamodb_calls) <= 3 and "Scan" not in dynamodb_calls, dynamodb_calls
        anonymous.call("POST", f"{path}/notifications/all/read", "", headers=JSON)
