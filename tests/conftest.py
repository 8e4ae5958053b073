"""Shared fixtures: one moto server per session with the resources of infra/resources.json,
the Chalice test client, and tenants (a business with a signed-in staff member)."""
from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_BASE_URL = "https://pay.example.test"
PASSWORD = "Correct-Horse-Battery-9"
_serial = itertools.count(1)


@pytest.fixture(scope="session")
def aws() -> Iterator[Any]:
    """A moto server on loopback with the app's resources, and the process pointed at it."""
    from devstack.provision import provision
    from devstack.server import configure_environment, free_port, start_moto

    server, endpoint = start_moto(free_port())
    resources = provision(endpoint, stack_name="paydrop-test")
    configure_environment(resources.as_env("test"), PUBLIC_BASE_URL)
    yield resources
    server.stop()


@pytest.fixture(scope="session")
def chalice_app(aws: Any) -> Any:
    from app import app
    from devstack.local_auth import tolerate_undecodable_tokens

    tolerate_undecodable_tokens()
    return app


@pytest.fixture(scope="session")
def http(chalice_app: Any) -> Iterator[Any]:
    from chalice.test import Client

    with Client(chalice_app, stage_name="dev", project_dir=str(ROOT)) as client:
        yield client


@dataclass
class Api:
    """A staff API caller: JSON in, `Reply` out, with the tenant's bearer token."""

    http: Any
    token: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
        sent = {"Content-Type": "application/json", **self.extra_headers, **(headers or {})}
        if self.token:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        raw = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        response = self.http.http.request(method=method, path=path, headers=sent, body=raw or b"")
        return Reply(response.status_code, response.headers, response.body)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("POST", path, body if body is not None else {}, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("PATCH", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.call("DELETE", path, **kw)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()

    @property
    def error(self) -> dict[str, Any]:
        return self.json["error"]  # type: ignore[no-any-return]


@dataclass
class Tenant:
    business_id: str
    email: str
    api: Api

    def client_id(self, name: str = "Acme Ltd") -> str:
        reply = self.api.post("/api/v1/clients", {"name": name, "contacts": [{"name": "Ada", "email": "ada@acme.test"}]})
        assert reply.status == 201, reply.body
        return str(reply.json["client_id"])

    def invoice(self, lines: list[dict[str, Any]] | None = None, sent: bool = True, **fields: Any) -> dict[str, Any]:
        """A new invoice for a new client, sent unless `sent=False`."""
        body = {"client_id": self.client_id(), "lines": lines or [{"description": "Work", "unit_price": 10000}], **fields}
        reply = self.api.post("/api/v1/invoices", body)
        assert reply.status == 201, reply.body
        if sent:
            reply = self.api.post(f"/api/v1/invoices/{reply.json['id']}/send")
            assert reply.status == 200, reply.body
        return reply.json  # type: ignore[no-any-return]

    def file(self, content: bytes = b"The secret handbook, v1.", name: str = "handbook.pdf",
             title: str = "Handbook", tags: list[str] | None = None) -> str:
        """A file resource, uploaded through its presigned POST and confirmed; returns its id."""
        import requests

        made = self.api.post("/api/v1/resources", {"kind": "file", "title": title, "tags": tags or [], "file": {
            "filename": name, "size": len(content), "content_type": "application/pdf"}}).json
        plan = made["upload"]
        requests.post(plan["url"], data=plan["fields"], files={"file": ("f", content, "application/pdf")}, timeout=10)
        rid = made["resource"]["resource_id"]
        assert self.api.post(f"/api/v1/resources/{rid}/upload/confirm").status == 200
        return str(rid)

    def share(self, invoice_id: str) -> str:
        reply = self.api.post(f"/api/v1/invoices/{invoice_id}/share")
        assert reply.status == 200, reply.body
        return str(reply.json["url"])


def local_path(url: str) -> str:
    """The path of one of our absolute URLs, to request it through the test client."""
    assert url.startswith(PUBLIC_BASE_URL), url
    return url[len(PUBLIC_BASE_URL):]


def unique_email(prefix: str = "staff") -> str:
    return f"{prefix}-{next(_serial)}@biz{next(_serial)}.test"


def sign_in(email: str, password: str = PASSWORD) -> str:
    from chalicelib.services import auth

    return str(auth.login(email, password)["id_token"])


@pytest.fixture
def make_tenant(http: Any) -> Callable[..., Tenant]:
    """Open a new business and sign its owner in (call again for a second, isolated tenant)."""
    from chalicelib.services import onboarding

    def make(name: str = "Test Business", currency: str = "EUR") -> Tenant:
        email = unique_email("owner")
        business = onboarding.open_business(name, email, PASSWORD, currency=currency)
        return Tenant(business.business_id, email, Api(http, sign_in(email)))

    return make


@pytest.fixture
def tenant(make_tenant: Callable[..., Tenant]) -> Tenant:
    return make_tenant()


@pytest.fixture
def member_of(http: Any) -> Callable[[Tenant, str], Api]:
    """Another signed-in staff member of `tenant`'s business, with `role`."""
    from chalicelib.services import onboarding

    def make(tenant: Tenant, role: str) -> Api:
        email = unique_email(role)
        onboarding.add_staff_member(tenant.business_id, email, PASSWORD, role)
        return Api(http, sign_in(email))

    return make


@pytest.fixture
def anonymous(http: Any) -> Api:
    return Api(http)


@pytest.fixture
def dynamodb_calls(aws: Any) -> Iterator[list[str]]:
    """Names of the DynamoDB operations made while the test runs (botocore event hook)."""
    from chalicelib.store.table import BaseItem

    calls: list[str] = []
    events = BaseItem._get_connection().connection.client.meta.events

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    events.register("before-call.dynamodb", record)
    yield calls
    events.unregister("before-call.dynamodb", record)


@dataclass
class Outbox:
    """The emails this test process sent through (moto's) SES, parsed."""

    def messages(self) -> list[Any]:
        from devstack.outbox import sent_messages

        return sent_messages()

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages() if address.lower() in (a.lower() for a in m.to)]


@pytest.fixture
def outbox(aws: Any) -> Outbox:
    """An emptied outbox: what the test sends shows up in `.messages()` and `.to(address)`."""
    from devstack.outbox import clear

    clear()
    return Outbox()
