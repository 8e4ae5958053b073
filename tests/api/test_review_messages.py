"""Adversarial review of messaging and deliverable comments over HTTP: a message (or a comment
asking for changes) made of characters that show nothing is as empty as a blank one."""
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
