"""Messaging end to end over HTTP: the contact writes in the portal, the team reads it in the
inbox (unread counts), answers, and each side sees who of the other has seen what."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.support.client_flows import FORM, JSON
from tests.support.messaging import talk


@pytest.fixture(autouse=True)
def _own_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.services.messaging import portal_view

    monkeypatch.setattr(portal_view, "PER_IP", 10_000)  # every test request comes from one address


def test_a_message_goes_from_the_portal_to_the_team_and_back_with_seen_by(tenant: Any, anonymous: Api) -> None:
    t = talk(tenant, anonymous)
    sent = t.say("Hello team, see https://example.test/brief.pdf.")
    assert sent.status == 303 and sent.headers["Location"].endswith("/messages#latest")
    inbox = t.inbox()
    assert inbox["unread"] == 1
    [item] = inbox["items"]
    assert (item["client_id"], item["unread"], item["last_author"]) == (t.client_id, 1, "Pat")
    conversation = tenant.api.get(f"/api/v1/conversations/{item['id']}").json
    [message] = conversation["messages"]
    assert message["text"] == "Hello team, see https://example.test/brief.pdf." and message["seen_by"] == []

    read = tenant.api.post(f"/api/v1/conversations/{item['id']}/read")
    assert read.status == 200 and read.json["unread"] == 0
    assert t.inbox()["unread"] == 0
    [mine] = t.view()["messages"]
    assert [s["name"] for s in mine["seen_by"]] == [tenant.email]

    answer = tenant.api.post(f"/api/v1/conversations/{item['id']}/messages", {"text": "Got it, thanks!"})
    assert answer.status == 201, answer.body
    page = t.page()
    assert page.status == 200 and "Got it, thanks!" in page.text and page.headers["Cache-Control"] == "no-store"
    assert "noindex" in page.headers["X-Robots-Tag"] and "default-src 'none'" in page.headers["Content-Security-Policy"]
    staff_view = tenant.api.get(f"/api/v1/conversations/{item['id']}").json
    assert [m["text"] for m in staff_view["messages"]] == ["Hello team, see https://example.test/brief.pdf.",
                                                          "Got it, thanks!"]
    assert [s["name"] for s in staff_view["messages"][1]["seen_by"]] == ["Pat"]


def test_text_is_escaped_and_only_links_become_html(tenant: Any, anonymous: Api) -> None:
    t = talk(tenant, anonymous)
    assert t.say('<script>alert(1)</script> <b>bold</b> https://x.test/a?b=1&c="2" end').status == 303
    page = t.page().text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert '<a href="https://x.test/a?b=1&amp;c=" rel="noopener nofollow ugc" target="_blank">' in page


def test_the_portal_tab_shows_the_conversation(tenant: Any, anonymous: Api) -> None:
    t = talk(tenant, anonymous)
    t.say("In the tab")
    page = anonymous.get(f"{t.portal}?tab=messages", headers={"Accept": "text/html"})
    assert page.status == 200 and "In the tab" in page.text and 'data-testid="message-form"' in page.text
    assert 'href="https://pay.example.test' in page.text and "?tab=messages" in page.text


def test_ten_thousand_characters_is_the_limit_and_an_empty_message_is_refused(tenant: Any, anonymous: Api) -> None:
    t = talk(tenant, anonymous)
    too_long = t.client.call("POST", f"{t.portal}/messages", {"text": "x" * 10_001}, headers=JSON)
    assert too_long.status == 400 and "10,000" in too_long.json["error"]["message"]
    assert t.client.call("POST", f"{t.portal}/messages", {"text": "  \n "}, headers=JSON).status == 400
    assert t.inbox()["items"] == []
    # A textarea sends CRLF line breaks: they count once.
    ok = t.client.call("POST", f"{t.portal}/messages", {"text": ("y" * 99 + "\r\n") * 100}, headers=JSON)
    assert ok.status == 201, ok.body


def test_a_contact_sees_only_its_clients_conversations(tenant: Any, make_tenant: Any, anonymous: Api) -> None:
    mine, other = talk(tenant, anonymous), talk(tenant, anonymous, "Other Co", "olga@other.test")
    project = tenant.api.post("/api/v1/projects", {"client_id": other.client_id, "name": "Secret"}).json
    other.say("Other's words", project_id=project["id"])
    assert mine.client.get(f"{mine.portal}/projects/{project['id']}/messages", headers=JSON).status == 404
    assert mine.say("sneaky", project_id=project["id"]).status == 404
    assert "Other's words" not in mine.page().text
    stranger = make_tenant("Stranger")
    conversation_id = other.conversation_id()
    assert stranger.api.get(f"/api/v1/conversations/{conversation_id}").status == 404
    assert stranger.api.post(f"/api/v1/conversations/{conversation_id}/messages", {"text": "hi"}).status == 404
    assert stranger.api.get("/api/v1/conversations").json["items"] == []


def test_a_project_has_its_own_conversation(tenant: Any, anonymous: Api) -> None:
    t = talk(tenant, anonymous)
    project = tenant.api.post("/api/v1/projects", {"client_id": t.client_id, "name": "Website"}).json
    assert t.say("About the website", project_id=project["id"]).status == 303
    assert t.say("General question").status == 303
    assert [m["text"] for m in t.view(project["id"])["messages"]] == ["About the website"]
    assert [m["text"] for m in t.view()["messages"]] == ["General question"]
    inbox = t.inbox()["items"]
    assert {i["project_id"] for i in inbox} == {None, project["id"]}
    assert t.view(project["id"])["project_name"] == "Website"


def test_a_removed_contact_can_no_longer_read_or_write(tenant: Any, anonymous: Api) -> None:
    t = talk(tenant, anonymous)
    t.say("before")
    assert tenant.api.delete(f"/api/v1/clients/{t.client_id}/contacts/{t.contact_id}").status in (200, 204)
    assert t.page().status == 404
    assert t.say("after").status == 404
    conversation = tenant.api.get(f"/api/v1/conversations/{t.conversation_id()}").json
    assert [m["text"] for m in conversation["messages"]] == ["before"]


def test_a_post_from_another_site_is_refused(tenant: Any, anonymous: Api) -> None:
    t = talk(tenant, anonymous)
    reply = anonymous.call("POST", f"{t.portal}/messages", "text=hi", headers={**FORM, "Sec-Fetch-Site": "cross-site"})
    assert reply.status == 403
    assert t.inbox()["items"] == []


def test_sending_is_rate_limited_per_contact(tenant: Any, anonymous: Api, frozen_clock: None) -> None:
    t = talk(tenant, anonymous)
    for i in range(20):
        assert t.say(f"message {i}").status == 303
    limited = t.say("one too many")
    assert limited.status == 429 and limited.headers.get("Retry-After")


def test_both_sides_are_notified_and_client_emails_carry_a_reply_address(tenant: Any, anonymous: Api) -> None:
    from chalicelib.config import settings
    from chalicelib.store.notifications import STAFF, contact_recipient, list_inbox

    t = talk(tenant, anonymous)
    t.say("Question for you")
    [note], _ = list_inbox(tenant.business_id, STAFF, 10, None)
    assert (note.category, note.title, note.reply_to) == ("messages", "New message from Pat", None)
    assert note.staff_path == f"/app/#/inbox/{t.conversation_id()}"
    tenant.api.post(f"/api/v1/conversations/{t.conversation_id()}/messages", {"text": "Answer"})
    [note], _ = list_inbox(tenant.business_id, contact_recipient(t.client_id, t.contact_id), 10, None)
    assert note.category == "messages" and note.portal_path == "messages" and note.text == "Answer"
    local, _, domain = str(note.reply_to).partition("@")
    assert domain == settings().mail_inbound_domain and local.startswith("reply+") and len(local) <= 64


def test_the_team_can_write_first_and_viewers_cannot_write(tenant: Any, anonymous: Api, member_of: Any) -> None:
    t = talk(tenant, anonymous)
    first = tenant.api.post("/api/v1/conversations", {"client_id": t.client_id, "text": "Welcome aboard"})
    assert first.status == 201, first.body
    assert [m["text"] for m in t.view()["messages"]] == ["Welcome aboard"]
    viewer = member_of(tenant, "viewer")
    assert viewer.post(f"/api/v1/conversations/{first.json['conversation_id']}/messages", {"text": "x"}).status == 403
    assert viewer.get("/api/v1/conversations").status == 200
    unknown_client = tenant.api.post("/api/v1/conversations", {"client_id": "nope", "text": "x"})
    assert unknown_client.status == 404


def test_a_signed_in_contact_uses_the_same_conversation_under_portal_me(tenant: Any, anonymous: Api, outbox: Any) -> None:
    from tests.support.client_flows import signed_in

    t = talk(tenant, anonymous, "Ada Co", "ada@acme.test")
    cookie = signed_in(tenant, anonymous, outbox)
    sent = anonymous.call("POST", "/portal/me/messages", "text=from+my+session", headers={**FORM, "Cookie": cookie})
    assert sent.status == 303, sent.body
    assert [m["text"] for m in t.view()["messages"]] == ["from my session"]
    assert anonymous.get("/portal/me/messages", headers=JSON).status == 404  # no session, no portal


def test_the_conversation_page_costs_three_reads(tenant: Any, anonymous: Api, dynamodb_calls: list[str]) -> None:
    t = talk(tenant, anonymous)
    t.say("hello")
    t.view()  # nothing of the team's to mark seen
    dynamodb_calls.clear()
    assert t.client.get(f"{t.portal}/messages", headers=JSON).status == 200
    assert dynamodb_calls == ["GetItem", "BatchGetItem", "Query"]


def test_each_contact_of_a_notification_gets_its_own_reply_address(tenant: Any, anonymous: Api) -> None:
    from chalicelib.services.messaging import reply_address_for_recipient
    from chalicelib.services.messaging.reply_tokens import target_of
    from chalicelib.store.notifications import STAFF, contact_recipient

    t = talk(tenant, anonymous)
    address = reply_address_for_recipient(tenant.business_id, contact_recipient(t.client_id, t.contact_id), t.client_id,
                                          None)
    assert address is not None
    target = target_of(address.split("+", 1)[1].split("@", 1)[0])
    assert target is not None and (target.client_id, target.contact_id) == (t.client_id, t.contact_id)
    assert reply_address_for_recipient(tenant.business_id, STAFF, t.client_id, None) is None
    assert reply_address_for_recipient(tenant.business_id, contact_recipient("other", t.contact_id), t.client_id,
                                       None) is None
