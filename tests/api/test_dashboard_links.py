"""Dashboard (issue 17): share and portal links regenerated in place, "Preview as client"
through a one-time link that never counts as the client, sharing only sent documents."""
from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Api, QueueWorker, local_path
from tests.support.portal import client_with_contact, make_document, portal_link


def test_regenerating_a_share_link_kills_the_old_one_and_the_new_one_works(tenant: Any, anonymous: Api) -> None:
    invoice = tenant.invoice()
    old = local_path(tenant.share(invoice["id"]))
    assert anonymous.get(old).status == 200
    fresh = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/share/regenerate")
    assert fresh.status == 200
    new = local_path(fresh.json["url"])
    assert new != old
    assert anonymous.get(old).status == 404
    assert anonymous.get(new).status == 200 and invoice["number"] in anonymous.get(new).text
    # The document now points at the new link: "copy share link" hands out the new one.
    assert local_path(tenant.share(invoice["id"])) == new
    assert tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json["share_url"].endswith(new)


def test_two_regenerations_at_once_leave_exactly_one_working_link(tenant: Any, anonymous: Api) -> None:
    invoice = tenant.invoice()
    tenant.share(invoice["id"])
    replies: list[Any] = []
    barrier = threading.Barrier(2)

    def regenerate() -> None:
        barrier.wait()
        replies.append(tenant.api.post(f"/api/v1/invoices/{invoice['id']}/share/regenerate"))

    threads = [threading.Thread(target=regenerate) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [r for r in replies if r.status == 200]
    assert len(ok) >= 1 and all(r.status in (200, 409) for r in replies)
    working = [r for r in ok if anonymous.get(local_path(r.json["url"])).status == 200]
    assert len(working) == 1


def test_a_draft_cannot_be_shared_or_regenerated_and_says_why(tenant: Any) -> None:
    draft = tenant.invoice(sent=False)
    for path in ("share", "share/regenerate"):
        reply = tenant.api.post(f"/api/v1/invoices/{draft['id']}/{path}")
        assert reply.status == 409 and "draft" in reply.error["message"].lower()


def test_regenerating_a_portal_link_kills_the_old_one(tenant: Any, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    old = portal_link(tenant, client_id, contact_id)
    assert anonymous.get(old).status == 200
    fresh = tenant.api.post(f"/api/v1/clients/{client_id}/contacts/{contact_id}/portal/regenerate")
    assert fresh.status == 200
    new = local_path(fresh.json["url"])
    assert anonymous.get(old).status == 404 and anonymous.get(new).status == 200
    assert portal_link(tenant, client_id, contact_id) == new  # the contact's one link is the new one
    revoked = tenant.api.delete(f"/api/v1/clients/{client_id}/contacts/{contact_id}/portal")
    assert revoked.status == 200 and anonymous.get(new).status == 404


def test_another_business_cannot_regenerate_or_preview(tenant: Any, make_tenant: Any) -> None:
    invoice = tenant.invoice()
    client_id, contact_id = client_with_contact(tenant)
    other = make_tenant("Other")
    assert other.api.post(f"/api/v1/invoices/{invoice['id']}/share/regenerate").status == 404
    assert other.api.post(f"/api/v1/clients/{client_id}/contacts/{contact_id}/portal/regenerate").status == 404
    assert other.api.post(f"/api/v1/invoices/{invoice['id']}/preview-link").status == 404
    assert other.api.post(f"/api/v1/clients/{client_id}/contacts/{contact_id}/preview-link").status == 404


def test_preview_as_client_opens_once_marked_as_preview_and_counts_nothing(
        tenant: Any, anonymous: Api, views_worker: QueueWorker) -> None:
    invoice = tenant.invoice()
    link = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/preview-link")
    assert link.status == 201 and link.json["single_use"] is True and link.json["expires_in"] == 120
    page = anonymous.get(local_path(link.json["url"]))
    assert page.status == 200
    assert invoice["number"] in page.text and 'data-testid="staff-preview"' in page.text
    assert "Not counted as a view" in page.text
    csp = page.headers["Content-Security-Policy"]
    assert "form-action 'none'" in csp and "no-store" in page.headers["Cache-Control"]
    assert "noindex" in page.headers.get("X-Robots-Tag", "") or 'name="robots"' in page.text
    # Once: a second open (the browser history, a forwarded copy) finds nothing.
    assert anonymous.get(local_path(link.json["url"])).status == 404
    assert views_worker.drain() == 0
    views = tenant.api.get(f"/api/v1/invoices/{invoice['id']}/views").json
    assert views["view_count"] == 0 and views["items"] == []
    assert tenant.api.get(f"/api/v1/invoices/{invoice['id']}/access-log").json["items"] == []


def test_a_preview_link_expires_after_two_minutes(tenant: Any, anonymous: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib import clock

    invoice = tenant.invoice(sent=False)  # a draft can be previewed before it is sent
    url = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/preview-link").json["url"]
    later = clock.now() + timedelta(seconds=121)
    monkeypatch.setattr(clock, "now", lambda: later)
    gone = anonymous.get(local_path(url))
    assert gone.status == 404 and "Preview as client" in gone.text


def test_preview_of_a_contacts_portal_shows_their_invoices_without_a_view(
        tenant: Any, anonymous: Api, views_worker: QueueWorker) -> None:
    client_id, contact_id = client_with_contact(tenant)
    invoice = make_document(tenant, client_id)
    link = tenant.api.post(f"/api/v1/clients/{client_id}/contacts/{contact_id}/preview-link")
    assert link.status == 201
    page = anonymous.get(local_path(link.json["url"]))
    assert page.status == 200 and invoice["number"] in page.text and "staff-preview" in page.text
    assert views_worker.drain() == 0
    removed_client, removed_contact = client_with_contact(tenant, "Gone Co", "gone@portal.test")
    url = tenant.api.post(f"/api/v1/clients/{removed_client}/contacts/{removed_contact}/preview-link").json["url"]
    tenant.api.post(f"/api/v1/clients/{removed_client}/contacts", {"name": "Keeper", "email": "k@portal.test",
                                                                  "is_primary": True})
    assert tenant.api.delete(f"/api/v1/clients/{removed_client}/contacts/{removed_contact}").status == 200
    assert anonymous.get(local_path(url)).status == 404  # a removed contact has no portal to preview


def test_view_counts_say_how_they_are_counted_from_the_workers_window(tenant: Any) -> None:
    from chalicelib.services.portal.view_tracking import WINDOW_SECONDS

    invoice = tenant.invoice()
    shown = tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json["views"]
    assert shown["counted_once_per_minutes"] == WINDOW_SECONDS // 60 == 30
    listed = tenant.api.get("/api/v1/invoices").json["items"][0]["views"]
    assert listed["counted_once_per_minutes"] == 30
