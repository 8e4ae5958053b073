"""What a client does in a browser, as test steps: attach and claim, sign in by email link,
carry the session cookie."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from tests.conftest import Api, Reply, local_path

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Accept": "application/json"}


def attach(tenant: Any, rid: str, target_type: str, target_id: str, policy: str, **extra: Any) -> Any:
    """Attach through the staff API; returns `{"attachment", "grants"}`."""
    reply = tenant.api.post(f"/api/v1/resources/{rid}/attachments",
                            {"target_type": target_type, "target_id": target_id, "policy": policy, **extra})
    assert reply.status == 201, reply.body
    return reply.json


def claim_link(tenant: Any, client_id: str | None = None, content: bytes = b"license key: 1234",
               title: str = "License") -> dict[str, Any]:
    """A file offered to a client through a claim link: the attachment (with `claim_url`) and its grant."""
    rid = tenant.file(content, "license.txt", title=title, tags=["licenses"])
    made = attach(tenant, rid, "client", client_id or tenant.client_id(), "claim_link")
    return {"resource_id": rid, **made["attachment"], "grant": made["grants"][0]}


def post_form(anonymous: Api, path: str, fields: dict[str, str], **headers: str) -> Reply:
    return anonymous.call("POST", path, urlencode(fields), headers={**FORM, **headers})


def sign_in_link(outbox: Any, address: str) -> str:
    """The path of the latest one-time link emailed to `address`."""
    message = outbox.to(address)[-1]
    [link] = [u for u in message.links if "/signin/confirm/" in u]
    return local_path(link)


def session_cookie(reply: Reply) -> str:
    """The `name=value` part of the session cookie the reply set."""
    return reply.headers["Set-Cookie"].split(";", 1)[0]


def claim(anonymous: Api, outbox: Any, claim_path: str, address: str) -> Reply:
    """Ask to claim with `address`, then use the emailed link."""
    assert post_form(anonymous, claim_path, {"email": address}).status == 202
    return anonymous.call("POST", sign_in_link(outbox, address), "")


def signed_in(tenant: Any, anonymous: Api, outbox: Any, address: str = "ada@acme.test") -> str:
    """Sign a contact of `tenant` in by email link; returns the session cookie."""
    assert post_form(anonymous, f"/signin/{tenant.business_id}", {"email": address}).status == 202
    done = anonymous.call("POST", sign_in_link(outbox, address), "")
    assert done.status == 303, done.body
    return session_cookie(done)



def new_client(tenant: Any, name: str, email: str) -> dict[str, Any]:
    reply = tenant.api.post("/api/v1/clients", {"name": name, "contacts": [{"name": name, "email": email}]})
    assert reply.status == 201, reply.body
    return tenant.api.get(f"/api/v1/clients/{reply.json['client_id']}").json  # type: ignore[no-any-return]


def assert_client_headers(reply: Reply) -> None:
    assert reply.headers.get("Cache-Control") == "no-store", reply.headers
    assert "noindex" in reply.headers.get("X-Robots-Tag", ""), reply.headers
    csp = reply.headers.get("Content-Security-Policy", "")
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, reply.headers
    assert reply.headers.get("Referrer-Policy") == "no-referrer"
