"""Adversarial review: staff of business X name business Y's ids in request bodies and paths of
the new staff routes (projects, milestones, approvals, conversations, recurring, receipts,
charge-now). Each is refused as not found (404), or refused as invalid (400), and nothing of Y's
is touched or shown."""
from __future__ import annotations

from typing import Any

from tests.conftest import Tenant
from tests.support.approvals import awaiting_approval


def test_ids_of_another_business_in_bodies_and_paths(tenant: Tenant, make_tenant: Any) -> None:
    other = make_tenant("Other Business")
    theirs = awaiting_approval(other, "Their Co", "their@co.test")
    their_invoice = other.invoice()
    their_file = other.file(b"their secret", "secret.pdf")
    assert other.api.post("/api/v1/conversations", {"client_id": theirs.client_id, "text": "Their secret"}).status == 201
    their_conversation = other.api.get("/api/v1/conversations").json["items"][0]["id"]
    mine = tenant.client_id("Mine Ltd")
    my_project = tenant.api.post("/api/v1/projects", {"client_id": mine, "name": "Mine"}).json["id"]
    answers = {
        "project for their client": tenant.api.post("/api/v1/projects", {"client_id": theirs.client_id, "name": "X"}),
        "their project": tenant.api.get(f"/api/v1/projects/{theirs.project_id}"),
        "milestone on their project": tenant.api.post(f"/api/v1/projects/{theirs.project_id}/milestones", {"title": "X"}),
        "my milestone billing their invoice": tenant.api.post(f"/api/v1/projects/{my_project}/milestones",
                                                              {"title": "X", "invoice_id": their_invoice["id"]}),
        "approval of their file": tenant.api.post("/api/v1/approvals", {"resource_id": their_file, "project_id": my_project}),
        "approval on their project": tenant.api.post("/api/v1/approvals", {"resource_id": tenant.file(), "project_id":
                                                                           theirs.project_id}),
        "their deliverable": tenant.api.get(f"/api/v1/approvals/{theirs.deliverable_id}"),
        "comment on their deliverable": tenant.api.post(f"/api/v1/approvals/{theirs.deliverable_id}/comments", {"text": "X"}),
        "message to their client": tenant.api.post("/api/v1/conversations", {"client_id": theirs.client_id, "text": "X"}),
        "their conversation": tenant.api.get(f"/api/v1/conversations/{their_conversation}"),
        "message in their conversation": tenant.api.post(f"/api/v1/conversations/{their_conversation}/messages",
                                                         {"text": "X"}),
        "their file attached": tenant.api.post("/api/v1/conversations", {"client_id": mine, "text": "X",
                                                                          "attachments": [their_file]}),
        "recurring from their invoice": tenant.api.post("/api/v1/recurring", {"invoice_id": their_invoice["id"],
                                                                               "frequency": "monthly",
                                                                               "start_date": "2026-12-01"}),
        "charge their invoice": tenant.api.post(f"/api/v1/invoices/{their_invoice['id']}/charge-now"),
    }
    statuses = {k: r.status for k, r in answers.items()}
    # A foreign attachment id is refused as a bad attachment; every other id as not found.
    assert statuses == {**dict.fromkeys(statuses, 404), "their file attached": 400}, statuses
    assert not any("Their secret" in r.text or "their secret" in r.text for r in answers.values())
    assert [m["text"] for m in other.api.get(f"/api/v1/conversations/{their_conversation}").json["messages"]] == [
        "Their secret"]
