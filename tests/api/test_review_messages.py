"""Adversarial review of messaging and the client's side of approvals over HTTP: a message (or a
comment asking for changes) made of characters that show nothing is as empty as a blank one; a
program is never an attachment; a JSON client decides with the version number its page gave."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.support.approvals import awaiting_approval
from tests.support.client_flows import JSON, post_form
from tests.support.messaging import talk

INVISIBLE = ("\u200b", "\u200b \u200d\n\ufeff", "\u2060\u00ad")


@pytest.fixture(autouse=True)
def _own_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.services.approvals import client_approvals
    from chalicelib.services.messaging import portal_view

    monkeypatch.setattr(portal_view, "PER_IP", 10_000)  # every test request comes from one address
    monkeypatch.setattr(client_approvals, "PER_IP", 10_000)


def test_a_message_of_invisible_characters_is_refused_on_both_sides(tenant: Any, anonymous: Api) -> None:
    t = talk(tenant, anonymous)
    assert t.say("Hello").status == 303
    conversation_id = t.conversation_id()
    for text in INVISIBLE:
        assert t.say(text).status == 400, repr(text)
        staff = tenant.api.post(f"/api/v1/conversations/{conversation_id}/messages", {"text": text})
        assert staff.status == 400 and staff.error["field"] == "text", staff.body
        assert tenant.api.post("/api/v1/conversations", {"client_id": t.client_id, "text": text}).status == 400
    assert [m["text"] for m in t.view()["messages"]] == ["Hello"]
    assert t.say("\u200bHi\u200b").status == 303  # words around them are a message


def test_changes_requested_with_an_invisible_comment_are_refused(tenant: Any, anonymous: Api) -> None:
    a = awaiting_approval(tenant)
    for text in INVISIBLE:
        refused = post_form(anonymous, f"{a.page}/request-changes", {"version": "1", "comment": text},
                            Accept="application/json")
        assert refused.status == 400, (repr(text), refused.body)
        assert post_form(anonymous, f"{a.page}/comment", {"text": text}, Accept="application/json").status == 400
        assert tenant.api.post(f"/api/v1/approvals/{a.deliverable_id}/comments", {"text": text}).status == 400
    view = anonymous.get(a.page, headers=JSON).json
    assert view["status"] == "pending" and view["versions"][0]["comments"] == []


PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64  # a Windows program's first bytes


def test_a_program_is_never_attached_whatever_it_is_called(tenant: Any, anonymous: Api) -> None:
    from urllib.parse import urlsplit

    from chalicelib.aws import s3
    from chalicelib.config import settings
    from chalicelib.store.resources import get_resource
    from tests.support.client_flows import FORM

    t = talk(tenant, anonymous)
    conversation_id = tenant.api.post("/api/v1/conversations", {"client_id": t.client_id, "text": "x"}).json[
        "conversation_id"]
    files = f"/api/v1/conversations/{conversation_id}/attachments"
    declared = tenant.api.post(files, {"filename": "setup.exe", "size": len(PROGRAM),
                                       "content_type": "application/x-msdownload"})
    assert declared.status == 400 and "Programs" in declared.error["message"], declared.body
    # Named and declared as a PDF: its bytes give it away when the upload is confirmed.
    started = tenant.api.post(files, {"filename": "invoice.pdf", "size": len(PROGRAM), "content_type": "application/pdf"})
    attachment_id = started.json["attachment_id"]
    key = get_resource(tenant.business_id, attachment_id).pending_key  # type: ignore[union-attr]
    s3().put_object(Bucket=settings().files_bucket, Key=key, Body=PROGRAM)
    refused = tenant.api.post(f"{files}/{attachment_id}/confirm")
    assert refused.status == 400 and "Programs" in refused.error["message"], refused.body
    sent = tenant.api.post(f"/api/v1/conversations/{conversation_id}/messages",
                           {"text": "see attached", "attachments": [attachment_id]})
    assert sent.status == 409, sent.body
    # The portal's upload (no declared type at all) is refused the same way.
    plan = anonymous.call("POST", f"{t.portal}/message-uploads", "", headers={**FORM, "Accept": "application/json"}).json
    key = get_resource(tenant.business_id, plan["attachment_id"]).pending_key  # type: ignore[union-attr]
    s3().put_object(Bucket=settings().files_bucket, Key=key, Body=PROGRAM)
    back = urlsplit(plan["upload"]["fields"]["success_action_redirect"])
    portal_refused = anonymous.get(back.path, headers={"Accept": "application/json"})
    assert portal_refused.status == 400 and "Programs" in portal_refused.json["error"]["message"]
    assert t.say("mine", attachments=plan["attachment_id"]).status == 409
    assert [m["text"] for m in t.view()["messages"]] == ["x"]


def test_a_json_client_decides_with_the_version_number_the_json_page_gave(tenant: Any, anonymous: Api) -> None:
    a = awaiting_approval(tenant)
    h = {"Content-Type": "application/json", "Accept": "application/json"}
    version = anonymous.get(a.page, headers=JSON).json["version"]
    assert version == 1
    for bad in (0, -1, 10_000, 1.5, "0", "one", True):
        refused = anonymous.call("POST", f"{a.page}/approve", {"version": bad}, headers=h)
        assert refused.status == 400 and refused.error["field"] == "version", (bad, refused.body)
    approved = anonymous.call("POST", f"{a.page}/approve", {"version": version}, headers=h)
    assert approved.status == 200 and approved.json["status"] == "approved", approved.body
    again = anonymous.call("POST", f"{a.page}/approve", {"version": version}, headers=h)
    assert again.status == 409 and "already approved by Pat" in again.error["message"]
