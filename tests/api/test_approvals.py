"""Deliverables and approvals: staff mark a project's file "needs approval"; the client sees a
readable preview and approves or requests changes (once per version, recorded with who, when
and from where); a new version resets the approval and keeps the history; both sides comment."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.conftest import Api, local_path
from tests.support.approvals import awaiting_approval, new_version, pdf, png, project_for
from tests.support.client_flows import JSON, assert_client_headers, attach, post_form, signed_in
from tests.support.portal import client_with_contact, portal_link

BROWSER = {"User-Agent": "Mozilla/5.0 (iPhone) Safari", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture(autouse=True)
def generous_rate_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test request comes from one address: the per-IP budget is not what these test."""
    from chalicelib.services.approvals import client_approvals

    monkeypatch.setattr(client_approvals, "PER_IP", 10_000)


def _inbox(business_id: str, recipient: str) -> list[Any]:
    from chalicelib.store.notifications import list_inbox

    return list_inbox(business_id, recipient, 50, None)[0]


def _contact_inbox(tenant: Any, a: Any) -> list[Any]:
    from chalicelib.store.notifications import contact_recipient

    return _inbox(tenant.business_id, contact_recipient(a.client_id, a.contact_id))


def test_the_client_sees_a_readable_preview_and_is_asked_to_approve(tenant: Any, anonymous: Api) -> None:
    a = awaiting_approval(tenant)
    page = anonymous.get(a.page)
    assert page.status == 200, page.body[:500]
    assert_client_headers(page)
    assert 'data-testid="approve"' in page.text and 'data-testid="request-changes"' in page.text
    assert "Awaiting approval" in page.text
    view = anonymous.get(a.page, headers=JSON).json
    assert view["status"] == "pending" and view["version"] == 1 and view["can_decide"]
    # The preview is the page at a readable size: the 1200 px wide image, not the 640 px thumbnail.
    assert view["preview"]["width"] == 1200 and view["preview"]["height"] == 900
    assert requests.get(view["preview"]["url"], timeout=10).headers["Content-Type"] == "image/webp"
    # The file attached open was "New file available" first; then the approval was asked for.
    asked, told = _contact_inbox(tenant, a)
    assert (told.category, told.title) == ("files", "New file available: Homepage design")
    assert (asked.category, asked.title) == ("approvals", "Approval requested: Homepage design")
    assert asked.portal_path == f"projects/{a.project_id}/deliverables/{a.deliverable_id}"
    # The current file itself, for more than its first page.
    file = anonymous.get(f"{a.page}/file")
    assert file.status == 303 and requests.get(file.headers["Location"], timeout=10).content == png()


def test_a_pdf_shows_its_first_page_at_least_800_px_wide(tenant: Any, anonymous: Api) -> None:
    a = awaiting_approval(tenant, content=pdf(), filename="brief.pdf", content_type="application/pdf")
    preview = anonymous.get(a.page, headers=JSON).json["preview"]
    assert preview["width"] >= 800 and preview["height"] > preview["width"]  # an A4 page, upright


def test_approving_records_who_when_and_from_where_and_cannot_be_undone(tenant: Any, anonymous: Api) -> None:
    a = awaiting_approval(tenant)
    done = post_form(anonymous, f"{a.page}/approve", {"version": "1", "comment": "Lovely."}, **BROWSER)
    assert done.status == 303 and done.headers["Location"].endswith("?done=approved")
    assert "you approved this version" in anonymous.get(local_path(done.headers["Location"])).text
    decision = tenant.api.get(f"/api/v1/approvals/{a.deliverable_id}").json["versions"][0]["decision"]
    assert decision["decision"] == "approved" and decision["comment"] == "Lovely."
    assert (decision["name"], decision["email"], decision["contact_id"]) == ("Pat", "pat@portal.test", a.contact_id)
    assert decision["ip"] and decision["user_agent"] == BROWSER["User-Agent"] and decision["at"]
    # Immutable: neither approving again nor requesting changes moves it, and the page says who decided.
    again = post_form(anonymous, f"{a.page}/request-changes", {"version": "1", "comment": "Wait"}, **JSON)
    assert again.status == 409 and "already approved by Pat" in again.error["message"]
    page = post_form(anonymous, f"{a.page}/approve", {"version": "1"})
    assert page.status == 409 and "already approved by Pat" in page.text and 'data-testid="approve"' not in page.text
    assert tenant.api.get(f"/api/v1/approvals/{a.deliverable_id}").json["versions"][0]["decision"] == decision
    [told] = _inbox(tenant.business_id, "staff")
    assert (told.category, told.title) == ("decisions", "Pat approved Homepage design (version 1)")


def test_changes_need_a_comment_and_a_new_version_resets_the_approval_keeping_the_history(
        tenant: Any, anonymous: Api) -> None:
    a = awaiting_approval(tenant)
    empty = post_form(anonymous, f"{a.page}/request-changes", {"version": "1", "comment": "  "}, **JSON)
    assert empty.status == 400 and empty.error["field"] == "comment"
    long = post_form(anonymous, f"{a.page}/request-changes", {"version": "1", "comment": "x" * 5001}, **JSON)
    assert long.status == 400 and "5,000" in long.error["message"]
    assert post_form(anonymous, f"{a.page}/request-changes", {"version": "1", "comment": "Bigger logo"}).status == 303
    assert tenant.api.get("/api/v1/approvals?status=changes_requested").json["items"][0]["id"] == a.deliverable_id

    v2 = new_version(tenant, a.deliverable_id, png(1600, 1000, (200, 30, 30)))
    assert v2.status == 201, v2.body
    assert (v2.json["status"], v2.json["current_version"]) == ("pending", 2)
    first, = [v for v in v2.json["versions"] if v["version"] == 1]
    assert first["decision"]["comment"] == "Bigger logo" and first["status"] == "changes_requested"
    # The old file stays downloadable to staff.
    assert requests.get(first["download_url"], timeout=10).content == png()
    assert _contact_inbox(tenant, a)[0].title == "New version to approve: Homepage design (version 2)"
    # A decision on the page of version 1 never lands on version 2 unseen.
    stale = post_form(anonymous, f"{a.page}/approve", {"version": "1"}, **JSON)
    assert stale.status == 409 and "already" in stale.error["message"]
    view = anonymous.get(a.page, headers=JSON).json
    assert view["version"] == 2 and view["preview"]["width"] == 1600 and view["can_decide"]
    assert post_form(anonymous, f"{a.page}/approve", {"version": "2"}).status == 303
    history = tenant.api.get(f"/api/v1/approvals/{a.deliverable_id}").json
    assert [(v["version"], v["status"]) for v in history["versions"]] == [(2, "approved"), (1, "changes_requested")]
    # Nothing new to record without a new upload.
    assert tenant.api.post(f"/api/v1/approvals/{a.deliverable_id}/versions/confirm").status == 409


def test_an_undecided_version_replaced_by_a_newer_one_shows_as_superseded(tenant: Any, anonymous: Api) -> None:
    a = awaiting_approval(tenant)
    assert new_version(tenant, a.deliverable_id, png(900, 900)).status == 201
    old = post_form(anonymous, f"{a.page}/approve", {"version": "1"}, **JSON)
    assert old.status == 409 and "newer version" in old.error["message"]
    versions = anonymous.get(a.page, headers=JSON).json["versions"]
    assert [(v["version"], v["status"]) for v in versions] == [(2, "pending"), (1, "superseded")]


def test_comments_from_both_sides_in_order_with_their_authors_as_plain_text(tenant: Any, anonymous: Api) -> None:
    a = awaiting_approval(tenant)
    staff = tenant.api.post(f"/api/v1/approvals/{a.deliverable_id}/comments", {"text": "<b>Is the blue right?</b>"})
    assert staff.status == 201 and staff.json["author"] == tenant.email
    assert post_form(anonymous, f"{a.page}/comment", {"text": "Yes,\r\nperfect <script>x</script>"}).status == 303
    page = anonymous.get(a.page).text
    assert "&lt;b&gt;Is the blue right?&lt;/b&gt;" in page and "<b>Is the blue" not in page
    assert "perfect &lt;script&gt;x&lt;/script&gt;" in page and "<script>" not in page
    comments = tenant.api.get(f"/api/v1/approvals/{a.deliverable_id}").json["versions"][0]["comments"]
    assert [(c["author"], c["author_kind"], c["text"]) for c in comments] == [
        (tenant.email, "staff", "<b>Is the blue right?</b>"), ("Pat", "contact", "Yes,\nperfect <script>x</script>")]
    assert page.index("Is the blue right?") < page.index("perfect")
    # Each side hears of the other's comment; nobody of their own.
    assert _contact_inbox(tenant, a)[0].title == f"{tenant.email} commented on Homepage design"
    assert [n.title for n in _inbox(tenant.business_id, "staff")] == ["Pat commented on Homepage design"]
    assert post_form(anonymous, f"{a.page}/comment", {"text": ""}, **JSON).status == 400
    assert tenant.api.post(f"/api/v1/approvals/{a.deliverable_id}/comments", {"text": "y" * 5001}).status == 400


def test_two_contacts_deciding_at_once_one_wins_and_the_other_is_told_who(tenant: Any, anonymous: Api) -> None:
    a = awaiting_approval(tenant)
    second = tenant.api.post(f"/api/v1/clients/{a.client_id}/contacts", {"name": "Sam", "email": "sam@portal.test"})
    sam_portal = portal_link(tenant, a.client_id, second.json["contact_id"])
    pages = [a.page, a.page.replace(a.portal, sam_portal)]
    barrier, replies = threading.Barrier(2), [None, None]

    def decide(i: int) -> None:
        barrier.wait()
        decision = "approve" if i == 0 else "request-changes"
        replies[i] = post_form(anonymous, f"{pages[i]}/{decision}", {"version": "1", "comment": "Mine"}, **JSON)

    threads = [threading.Thread(target=decide, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status for r in replies)  # type: ignore[union-attr]
    assert statuses == [200, 409], [r.body for r in replies]  # type: ignore[union-attr]
    winner = next(r for r in replies if r.status == 200).json  # type: ignore[union-attr]
    loser = next(r for r in replies if r.status == 409)  # type: ignore[union-attr]
    decided_by = winner["versions"][0]["decided_by"]
    assert decided_by in ("Pat", "Sam") and f"by {decided_by}" in loser.error["message"]
    stored = tenant.api.get(f"/api/v1/approvals/{a.deliverable_id}").json
    assert stored["status"] == winner["status"] and stored["versions"][0]["decision"]["name"] == decided_by


def test_another_clients_contact_and_other_ids_get_404(tenant: Any, make_tenant: Any, anonymous: Api) -> None:
    a = awaiting_approval(tenant)
    other_client, other_contact = client_with_contact(tenant, "Else", "else@portal.test")
    theirs = portal_link(tenant, other_client, other_contact)
    elsewhere = a.page.replace(a.portal, theirs)
    assert anonymous.get(elsewhere).status == 404
    assert post_form(anonymous, f"{elsewhere}/approve", {"version": "1"}).status == 404
    assert post_form(anonymous, f"{elsewhere}/comment", {"text": "hi"}).status == 404
    assert anonymous.get(f"{elsewhere}/file").status == 404
    # Under another project of the same client: not found either.
    wrong_project = project_for(tenant, a.client_id, "Other")
    assert anonymous.get(a.page.replace(a.project_id, wrong_project)).status == 404
    # Another business's staff see nothing of it, and cannot mark its files.
    other = make_tenant("Other Business")
    assert other.api.get(f"/api/v1/approvals/{a.deliverable_id}").status == 404
    assert other.api.post(f"/api/v1/approvals/{a.deliverable_id}/comments", {"text": "x"}).status == 404
    assert other.api.post("/api/v1/approvals", {"resource_id": a.resource_id, "project_id": a.project_id}).status == 404
    assert other.api.get("/api/v1/approvals").json["items"] == []
    assert tenant.api.get(f"/api/v1/approvals/{a.deliverable_id}").status == 200


def test_a_removed_contact_loses_access(tenant: Any, anonymous: Api) -> None:
    a = awaiting_approval(tenant)
    assert anonymous.get(a.page).status == 200
    assert tenant.api.delete(f"/api/v1/clients/{a.client_id}/contacts/{a.contact_id}").status in (200, 204)
    assert anonymous.get(a.page).status == 404
    assert post_form(anonymous, f"{a.page}/approve", {"version": "1"}).status == 404
    assert tenant.api.get(f"/api/v1/approvals/{a.deliverable_id}").json["status"] == "pending"


def test_a_signed_in_contact_decides_under_portal_me(tenant: Any, anonymous: Api, outbox: Any) -> None:
    a = awaiting_approval(tenant)
    cookie = signed_in(tenant, anonymous, outbox, "pat@portal.test")
    mine = a.page.replace(a.portal, "/portal/me")
    assert anonymous.get(mine, headers={"Cookie": cookie}).status == 200
    assert anonymous.get(mine).status == 404
    done = post_form(anonymous, f"{mine}/approve", {"version": "1"}, Cookie=cookie)
    assert done.status == 303
    assert tenant.api.get(f"/api/v1/approvals/{a.deliverable_id}").json["status"] == "approved"


def test_posts_from_another_site_are_refused(tenant: Any, anonymous: Api) -> None:
    a = awaiting_approval(tenant)
    forged = post_form(anonymous, f"{a.page}/approve", {"version": "1"}, **{"Sec-Fetch-Site": "cross-site"})
    assert forged.status == 403
    assert post_form(anonymous, f"{a.page}/comment", {"text": "x"}, Origin="https://evil.test").status == 403
    assert tenant.api.get(f"/api/v1/approvals/{a.deliverable_id}").json["status"] == "pending"


def test_a_contact_posting_too_fast_is_slowed_down(tenant: Any, anonymous: Api) -> None:
    # Its own fixed minute, an hour ahead: the per-IP count (shared by every test's "client") and a
    # minute boundary mid-test would otherwise move where the 429 comes.
    from chalicelib import clock

    moment = datetime.now(UTC).replace(second=1) + timedelta(hours=1)
    clock.use(lambda: moment)
    try:
        a = awaiting_approval(tenant)
        statuses = [post_form(anonymous, f"{a.page}/comment", {"text": f"c{i}"}, **JSON).status for i in range(22)]
    finally:
        clock.use(None)
    assert statuses[:20] == [200] * 20 and statuses[-1] == 429


def test_staff_marking_is_validated(tenant: Any) -> None:
    client_id, _ = client_with_contact(tenant)
    project_id = project_for(tenant, client_id)
    rid = tenant.file(png(), "a.png", content_type="image/png")
    body = {"resource_id": rid, "project_id": project_id}
    not_attached = tenant.api.post("/api/v1/approvals", body)
    assert not_attached.status == 400 and not_attached.error["field"] == "resource_id"
    link = tenant.api.post("/api/v1/resources", {"kind": "link", "title": "Site", "url": "https://example.com"})
    attach(tenant, link.json["resource"]["resource_id"], "project", project_id, "visible")
    refused = tenant.api.post("/api/v1/approvals", {**body, "resource_id": link.json["resource"]["resource_id"]})
    assert refused.status == 400 and "link" in refused.error["message"]
    assert tenant.api.post("/api/v1/approvals", {**body, "project_id": "nope"}).status == 404
    assert tenant.api.post("/api/v1/approvals", {**body, "title": ""}).error["field"] == "title"
    attach(tenant, rid, "project", project_id, "visible")
    milestone = tenant.api.post(f"/api/v1/projects/{project_id}/milestones", {"title": "Design"}).json["id"]
    made = tenant.api.post("/api/v1/approvals", {**body, "milestone_id": milestone, "title": "Logo"})
    assert made.status == 201 and (made.json["milestone_id"], made.json["title"]) == (milestone, "Logo")
    assert tenant.api.post("/api/v1/approvals", {**body, "milestone_id": milestone}).status == 409
    assert tenant.api.get("/api/v1/approvals?status=maybe").error["field"] == "status"
    assert tenant.api.get("/api/v1/approvals?project_id=../x").error["field"] == "project_id"


def test_staff_list_pending_approved_and_changes_requested_across_projects(tenant: Any, anonymous: Api) -> None:
    a = awaiting_approval(tenant)
    b = awaiting_approval(tenant, "Second Co", "sec@portal.test")
    assert post_form(anonymous, f"{b.page}/approve", {"version": "1"}).status == 303
    listed = tenant.api.get("/api/v1/approvals").json["items"]
    assert [(d["id"], d["status"]) for d in listed] == [(a.deliverable_id, "pending"), (b.deliverable_id, "approved")]
    assert [d["id"] for d in tenant.api.get("/api/v1/approvals?status=pending").json["items"]] == [a.deliverable_id]
    assert [d["id"] for d in tenant.api.get("/api/v1/approvals?status=approved").json["items"]] == [b.deliverable_id]
    assert tenant.api.get("/api/v1/approvals?status=changes_requested").json["items"] == []
    by_project = tenant.api.get(f"/api/v1/approvals?project_id={b.project_id}").json["items"]
    assert [d["id"] for d in by_project] == [b.deliverable_id]
    first = tenant.api.get("/api/v1/approvals?limit=1").json
    rest = tenant.api.get(f"/api/v1/approvals?limit=1&cursor={first['next_cursor']}").json
    assert [d["id"] for d in first["items"] + rest["items"]] == [a.deliverable_id, b.deliverable_id]


def test_a_file_replaced_on_its_resource_page_is_recorded_as_the_next_version(tenant: Any, anonymous: Api) -> None:
    from tests.support.approvals import upload

    a = awaiting_approval(tenant)
    content = png(640, 480, (10, 10, 10))
    started = tenant.api.post(f"/api/v1/resources/{a.resource_id}/versions",
                              {"filename": "v2.png", "size": len(content), "content_type": "image/png"})
    upload(started.json["upload"], content, "image/png")
    assert tenant.api.post(f"/api/v1/resources/{a.resource_id}/upload/confirm").status == 200
    # Until staff record it, the client still decides on the version they were asked about.
    assert anonymous.get(a.page, headers=JSON).json["version"] == 1
    recorded = tenant.api.post(f"/api/v1/approvals/{a.deliverable_id}/versions/confirm")
    assert recorded.status == 201 and recorded.json["current_version"] == 2
    assert recorded.json["versions"][0]["filename"] == "v2.png"
    assert requests.get(f"{recorded.json['versions'][1]['download_url']}", timeout=10).content == png()
