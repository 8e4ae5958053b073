"""Adversarial review: names sent by clients (their own name from the portal, registering) and by
staff (projects, milestones) with control characters or bidi overrides are refused with a 400 in
plain words, and nothing is written. A name is shown on staff screens, in emails' text and in
PDFs: a NUL, an escape sequence, a line break or a right-to-left override has no place in it."""
from __future__ import annotations

from urllib.parse import quote_plus

import pytest

from tests.conftest import Api, Tenant
from tests.support.client_flows import FORM, JSON
from tests.support.portal import client_with_contact, portal_link

BAD = {"nul": "Pat\x00Evil", "escape": "Pat\x1b[31mEvil", "newline": "Pat\nBcc: x@y.test",
       "c1": "Pat\x85Evil", "right-to-left override": "Pat\u202eliveE"}


@pytest.mark.parametrize("label", BAD)
def test_a_contact_cannot_name_themself_with_control_characters(tenant: Tenant, anonymous: Api, label: str) -> None:
    client_id, contact_id = client_with_contact(tenant, "Ctl Co", "ct@l.test")
    base = portal_link(tenant, client_id, contact_id)
    reply = anonymous.call("POST", f"{base}/account", f"name={quote_plus(BAD[label])}", headers={**FORM, **JSON})
    assert reply.status == 400 and "control characters" in reply.text
    contact = tenant.api.get(f"/api/v1/clients/{client_id}").json["contacts"][0]
    assert contact["name"] == "Pat"


@pytest.mark.parametrize("label", BAD)
def test_staff_cannot_name_a_project_or_milestone_with_control_characters(tenant: Tenant, label: str) -> None:
    client_id, _ = client_with_contact(tenant, "Ctl Co", "ct@l.test")
    assert tenant.api.post("/api/v1/projects", {"client_id": client_id, "name": BAD[label]}).status == 400
    project = tenant.api.post("/api/v1/projects", {"client_id": client_id, "name": "Fine"}).json
    assert tenant.api.post(f"/api/v1/projects/{project['id']}/milestones", {"title": BAD[label]}).status == 400
    assert tenant.api.get(f"/api/v1/projects/{project['id']}").json.get("milestones", []) == []


def test_ordinary_names_still_pass(tenant: Tenant, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant, "Ctl Co", "ct@l.test")
    base = portal_link(tenant, client_id, contact_id)
    for name in ("Zoë O'Brien-Smith", "山田 太郎", "محمد", "Dr. J. R. “Bob” Dobbs 😀"):
        assert anonymous.call("POST", f"{base}/account", f"name={quote_plus(name)}", headers={**FORM, **JSON}).status == 200
