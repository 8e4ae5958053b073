"""The conversation service: races end in one outcome, nothing lost or doubled; the demo seed."""
from __future__ import annotations

from typing import Any

from chalicelib.domain import messages as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.messaging_inputs import AttachmentSpec, StaffMessage
from chalicelib.services.identity.staff_auth import verify_id_token
from chalicelib.services.messaging import conversations, staff
from chalicelib.store import messages as store
from tests.conftest import Api
from tests.services.test_concurrency import _race
from tests.support.messaging import talk


def _author(t: Any) -> conversations.Author:
    return conversations.Author(rules.CLIENT, t.contact_id, "Pat")


def test_first_messages_at_once_make_one_conversation_and_keep_every_message(tenant: Any, anonymous: Api) -> None:
    t = talk(tenant, anonymous)
    results = _race(4, lambda: conversations.append(tenant.business_id, t.client_id, None, _author(t), "hello", "portal"))
    assert all(isinstance(r, store.Message) for r in results), results
    conversation_id = store.conversation_id_of(t.client_id, None)
    found = store.get_conversation(tenant.business_id, conversation_id)
    assert found is not None and found.client_messages == 4
    assert [i["id"] for i in t.inbox()["items"]] == [conversation_id]
    assert len(t.view()["messages"]) == 4


def test_an_attachment_goes_out_with_one_message_only(tenant: Any, anonymous: Api) -> None:
    from chalicelib.aws import s3
    from chalicelib.config import settings
    from chalicelib.store.resources import get_resource

    t = talk(tenant, anonymous)
    principal = verify_id_token(tenant.api.token)
    first = staff.start(principal, t.client_id, None, StaffMessage(text="Files follow"))
    attachment_id = staff.start_attachment(principal, first.conversation_id, AttachmentSpec(
        filename="plan.pdf", size=12, content_type="application/pdf"))["attachment_id"]
    key = get_resource(tenant.business_id, attachment_id).pending_key  # type: ignore[union-attr]
    s3().put_object(Bucket=settings().files_bucket, Key=key, Body=b"%PDF-1.7\n%..")
    staff.confirm_attachment(principal, first.conversation_id, attachment_id)
    results = _race(3, lambda: staff.reply(principal, first.conversation_id, StaffMessage(attachments=[attachment_id])))
    sent = [r for r in results if isinstance(r, store.Message)]
    assert len(sent) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in sent)


def test_a_message_arriving_while_the_team_marks_read_stays_unread(tenant: Any, anonymous: Api) -> None:
    t = talk(tenant, anonymous)
    principal = verify_id_token(tenant.api.token)
    first = conversations.append(tenant.business_id, t.client_id, None, _author(t), "one", "portal")
    conversations.append(tenant.business_id, t.client_id, None, _author(t), "two", "portal")
    staff.mark_read(principal, first.conversation_id)
    assert t.inbox()["unread"] == 0
    conversations.append(tenant.business_id, t.client_id, None, _author(t), "three", "portal")
    assert t.inbox()["unread"] == 1


def test_two_readers_at_once_leave_nothing_unread_and_both_in_seen_by(tenant: Any, anonymous: Api,
                                                                     member_of: Any) -> None:
    t = talk(tenant, anonymous)
    conversations.append(tenant.business_id, t.client_id, None, _author(t), "hello", "portal")
    readers = [verify_id_token(tenant.api.token), verify_id_token(member_of(tenant, "staff").token)]
    conversation_id = t.conversation_id()
    _race(2, lambda: staff.mark_read(readers.pop(), conversation_id))
    assert t.inbox()["unread"] == 0
    [message] = t.view()["messages"]
    assert len(message["seen_by"]) == 2


def test_the_demo_seed_writes_a_short_conversation_with_both_sides(tenant: Any, anonymous: Api) -> None:
    from devstack.seed import _seed_messages

    t = talk(tenant, anonymous)
    owner = verify_id_token(tenant.api.token)
    project = tenant.api.post("/api/v1/projects", {"client_id": t.client_id, "name": "Rebrand"}).json
    conversation_id = _seed_messages(owner, t.client_id, t.contact_id, project["id"])
    messages = t.view()["messages"]
    assert [m["side"] for m in messages] == ["client", "staff", "client"]
    assert len(t.view(project["id"])["messages"]) == 3
    inbox = {i["id"]: i for i in t.inbox()["items"]}
    assert inbox[conversation_id]["unread"] == 2


def test_attachment_sizes_are_checked_before_anything_is_written(tenant: Any, anonymous: Api) -> None:
    t = talk(tenant, anonymous)
    first = tenant.api.post("/api/v1/conversations", {"client_id": t.client_id, "text": "hi"}).json
    reply = tenant.api.post(f"/api/v1/conversations/{first['conversation_id']}/attachments",
                            {"filename": "big.mov", "size": 100 * 1024 * 1024 + 1, "content_type": "video/quicktime"})
    assert reply.status == 400 and "100 MB" in reply.json["error"]["message"]
    assert t.view()["pending"] == [] and len(t.view()["messages"]) == 1
