"""Adversarial review: a contact of client A, with A's own valid portal link, names client B's
project, deliverable, conversation, attachment and notification ids (same business) in paths
and bodies. Every one is a 404 and nothing is written."""
from __future__ import annotations

from typing import Any

from tests.conftest import Api, Tenant
from tests.support.approvals import awaiting_approval, project_for
from tests.support.client_flows import FORM, JSON
from tests.support.portal import client_with_contact, portal_link


def _b_side(tenant: Tenant) -> dict[str, Any]:
    """Client B: a project with a deliverable awaiting approval, a team message with an attachment."""
    from chalicelib.store.notifications import contact_recipient, list_inbox

    b = awaiting_approval(tenant, "B Co", "bea@b.test")
    rid = tenant.file(b"%PDF-1.4 plan", "plan.pdf", title="Plan", content_type="application/pdf")
    sent = tenant.api.post("/api/v1/conversations", {"client_id": b.client_id, "project_id": b.project_id,
                                                      "text": "Secret B plan", "attachments": [rid]})
    if sent.status != 201:
        sent = tenant.api.post("/api/v1/conversations", {"client_id": b.client_id, "project_id": b.project_id,
                                                          "text": "Secret B plan"})
    assert sent.status == 201, sent.body
    items = tenant.api.get("/api/v1/conversations").json["items"]
    conversation_id = next(i["id"] for i in items if "Secret B plan" in str(i))
    notes, _ = list_inbox(tenant.business_id, contact_recipient(b.client_id, b.contact_id), 10, None)
    return {"b": b, "rid": rid, "conversation_id": conversation_id, "notification_id": notes[0].notification_id
            if hasattr(notes[0], "notification_id") else notes[0].sk.rsplit("#", 1)[-1]}


def test_a_contact_of_client_a_reaches_nothing_of_client_b(tenant: Tenant, anonymous: Api) -> None:
    side = _b_side(tenant)
    b = side["b"]
    a_client, a_contact = client_with_contact(tenant, "A Co", "ann@a.test")
    a_project = project_for(tenant, a_client, "A's own")
    a = portal_link(tenant, a_client, a_contact)
    deliverable = f"projects/{b.project_id}/deliverables/{b.deliverable_id}"
    mixed = f"projects/{a_project}/deliverables/{b.deliverable_id}"
    gets = [f"projects/{b.project_id}", deliverable, f"{deliverable}/file", mixed, f"{mixed}/file",
            f"projects/{b.project_id}/messages", f"message-files/{side['conversation_id']}/{side['rid']}",
            f"message-uploads/{side['conversation_id']}/{side['rid']}"]
    answers = {p: anonymous.get(f"{a}/{p}", headers=JSON).status for p in gets}
    posts = {f"{deliverable}/approve": "version=1", f"{deliverable}/request-changes": "version=1&comment=No",
             f"{deliverable}/comment": "text=Hi", f"{mixed}/approve": "version=1", f"{mixed}/comment": "text=Hi",
             f"projects/{b.project_id}/messages": "text=Hello+B", "message-uploads": f"project_id={b.project_id}",
             f"notifications/{side['notification_id']}/read": ""}
    answers |= {p: anonymous.call("POST", f"{a}/{p}", body, headers={**FORM, **JSON}).status for p, body in posts.items()}
    assert answers == dict.fromkeys(answers, 404)
    # Nothing written on B's side: still pending, no comment, no message from A.
    view = anonymous.get(f"{b.portal}/{deliverable}", headers=JSON).json
    assert "Hi" not in str(view) and "approved" not in str(view.get("status", ""))
    texts = [m["text"] for m in anonymous.get(f"{b.portal}/projects/{b.project_id}/messages", headers=JSON).json["messages"]]
    assert texts == ["Secret B plan"]
