"""A client with a contact in the portal, and the conversation seen from both sides."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from tests.conftest import Api, Reply
from tests.support.client_flows import FORM, JSON
from tests.support.portal import client_with_contact, portal_link


@dataclass
class Talk:
    tenant: Any
    client: Api  # the contact's browser
    client_id: str
    contact_id: str
    portal: str  # /portal/{token}

    def say(self, text: str, project_id: str | None = None, attachments: str = "") -> Reply:
        path = f"{self.portal}/projects/{project_id}/messages" if project_id else f"{self.portal}/messages"
        body = f"text={quote_plus(text)}" + (f"&attachments={attachments}" if attachments else "")
        return self.client.call("POST", path, body, headers=FORM)

    def page(self, project_id: str | None = None) -> Reply:
        path = f"{self.portal}/projects/{project_id}/messages" if project_id else f"{self.portal}/messages"
        return self.client.get(path, headers={"Accept": "text/html"})

    def view(self, project_id: str | None = None) -> dict[str, Any]:
        path = f"{self.portal}/projects/{project_id}/messages" if project_id else f"{self.portal}/messages"
        reply = self.client.get(path, headers=JSON)
        assert reply.status == 200, reply.body
        return reply.json  # type: ignore[no-any-return]

    def inbox(self) -> dict[str, Any]:
        reply = self.tenant.api.get("/api/v1/conversations")
        assert reply.status == 200, reply.body
        return reply.json  # type: ignore[no-any-return]

    def conversation_id(self) -> str:
        return str(self.inbox()["items"][0]["id"])


def talk(tenant: Any, anonymous: Api, name: str = "Portal Co", email: str = "pat@portal.test") -> Talk:
    client_id, contact_id = client_with_contact(tenant, name, email)
    return Talk(tenant, anonymous, client_id, contact_id, portal_link(tenant, client_id, contact_id))
