"""A deliverable awaiting approval: a client with a contact, a project, a file attached to it,
marked "needs approval", and the contact's portal page of it."""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from tests.support.client_flows import attach
from tests.support.portal import client_with_contact, portal_link


def png(width: int = 1200, height: int = 900, colour: tuple[int, int, int] = (30, 90, 200)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def pdf(pages: int = 2) -> bytes:
    """An A4 PDF (595 × 842 pt), made by Pillow."""
    from PIL import Image

    images = [Image.new("RGB", (595, 842), (255, 255 - 40 * i, 255)) for i in range(pages)]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=72)
    return out.getvalue()


def upload(plan: dict[str, Any], content: bytes, content_type: str) -> None:
    import requests

    reply = requests.post(plan["url"], data=plan["fields"], files={"file": ("f", content, content_type)}, timeout=10)
    assert reply.status_code < 300, reply.text


@dataclass
class Awaiting:
    client_id: str
    contact_id: str
    project_id: str
    resource_id: str
    deliverable_id: str
    portal: str  # the contact's portal path

    @property
    def page(self) -> str:
        return f"{self.portal}/projects/{self.project_id}/deliverables/{self.deliverable_id}"


def project_for(tenant: Any, client_id: str, name: str = "Website relaunch") -> str:
    reply = tenant.api.post("/api/v1/projects", {"client_id": client_id, "name": name})
    assert reply.status == 201, reply.body
    return str(reply.json["id"])


def awaiting_approval(tenant: Any, name: str = "Portal Co", email: str = "pat@portal.test",
                      content: bytes | None = None, filename: str = "homepage.png",
                      content_type: str = "image/png") -> Awaiting:
    client_id, contact_id = client_with_contact(tenant, name, email)
    project_id = project_for(tenant, client_id)
    rid = tenant.file(content if content is not None else png(), filename, title="Homepage design",
                      content_type=content_type)
    attach(tenant, rid, "project", project_id, "visible")
    marked = tenant.api.post("/api/v1/approvals", {"resource_id": rid, "project_id": project_id})
    assert marked.status == 201, marked.body
    return Awaiting(client_id, contact_id, project_id, rid, marked.json["id"], portal_link(tenant, client_id, contact_id))


def new_version(tenant: Any, deliverable_id: str, content: bytes, filename: str = "homepage-v2.png",
                content_type: str = "image/png") -> Any:
    """Staff upload a replacement through the presigned POST, then confirm it; the reply."""
    started = tenant.api.post(f"/api/v1/approvals/{deliverable_id}/versions",
                              {"filename": filename, "size": len(content), "content_type": content_type})
    assert started.status == 201, started.body
    upload(started.json["upload"], content, content_type)
    return tenant.api.post(f"/api/v1/approvals/{deliverable_id}/versions/confirm")
