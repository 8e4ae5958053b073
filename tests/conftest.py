"""Shared fixtures: one moto server per session with the resources of infra/resources.json,
the Chalice test client, tenants (a business with a signed-in staff member), and the SQS
workers run synchronously (`QueueWorker`: the outbox delivers queued mail, `stripe_worker`)."""
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
    from devstack.local_auth import gateway_responses_as_in_the_cloud
    from devstack.local_threads import requests_per_thread

    gateway_responses_as_in_the_cloud()
    requests_per_thread(app)  # the race tests handle requests on several threads at once
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
             title: str = "Handbook", tags: list[str] | None = None, content_type: str = "application/pdf") -> str:
        """A file resource, uploaded through its presigned POST and confirmed; returns its id."""
        import requests

        made = self.api.post("/api/v1/resources", {"kind": "file", "title": title, "tags": tags or [], "file": {
            "filename": name, "size": len(content), "content_type": content_type}}).json
        plan = made["upload"]
        requests.post(plan["url"], data=plan["fields"], files={"file": ("f", content, content_type)}, timeout=10)
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
    from chalicelib.services.identity import staff_auth as auth

    return str(auth.login(email, password)["id_token"])


@pytest.fixture
def make_tenant(http: Any) -> Callable[..., Tenant]:
    """Open a new business and sign its owner in (call again for a second, isolated tenant)."""
    from chalicelib.services.accounts import onboarding

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
    from chalicelib.services.accounts import onboarding

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


class BatchItemsFailed(Exception):
    """The function reported these SQS message ids as failed (partial batch response)."""


@dataclass(frozen=True)
class QueueWorker:
    """One of the app's SQS functions, run synchronously on its queue as Lambda would run it.

    Each xdist process has its own moto server, so its queues hold only its own messages.
    """

    function_name: str  # the `name=` of `@app.on_sqs_message`
    queue_setting: str  # the `chalicelib.config.Settings` field with the queue's URL

    @property
    def queue_url(self) -> str:
        from chalicelib.config import settings

        return str(getattr(settings(), self.queue_setting))

    def drain(self, batch_size: int = 1) -> int:
        """Hand every message on the queue to the function, `batch_size` at a time, until the queue is
        empty; returns how many were handled.

        As with Lambda, a message is deleted only when the handler returns without listing it in
        `batchItemFailures` (partial batch response). When the handler raises, or lists messages as
        failed, those stay on the queue (made visible again at once, their receive count raised:
        after the queue's maxReceiveCount SQS moves them to the DLQ) and the test sees an error: the
        handler's own, or `BatchItemsFailed`.
        """
        from app import app
        from chalicelib.aws import sqs
        from devstack.pump import LambdaContext, lambda_event

        client, url = sqs(), self.queue_url
        arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        handler = app.handler_map[self.function_name]
        handled = 0
        while messages := client.receive_message(
            QueueUrl=url, MaxNumberOfMessages=batch_size, WaitTimeSeconds=0, AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages"):
            try:
                reply = handler(lambda_event(messages, arn), LambdaContext(self.function_name))
            except Exception:
                self._retry(messages)
                raise
            failed = {item["itemIdentifier"] for item in (reply or {}).get("batchItemFailures", [])}
            self._retry([m for m in messages if m["MessageId"] in failed])
            for message in messages:
                if message["MessageId"] not in failed:
                    client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            handled += len(messages) - len(failed)
            if failed:
                raise BatchItemsFailed(sorted(failed))
        return handled

    def _retry(self, messages: list[dict[str, Any]]) -> None:
        from chalicelib.aws import sqs

        for message in messages:
            sqs().change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"],
                                            VisibilityTimeout=0)

    def queued(self) -> int:
        """How many messages are on the queue (visible or in flight), without receiving any."""
        from chalicelib.aws import sqs

        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        attributes = sqs().get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=names)["Attributes"]
        return sum(int(attributes[name]) for name in names)

    def waiting(self) -> list[str]:
        """The bodies on the queue now (received and made visible again at once), leaving out a
        digest window's delayed send: earlier tests' notices queue those up to 5 minutes ahead
        (services/notifications/digests.py), and one may surface during any later test."""
        from chalicelib.aws import sqs

        found: dict[str, str] = {}
        while batch := sqs().receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                             VisibilityTimeout=0).get("Messages"):
            fresh = {m["MessageId"]: m["Body"] for m in batch if m["MessageId"] not in found}
            if not fresh:
                break
            found |= fresh
        return sorted(body for body in found.values() if not body.startswith('{"digest"'))

    def discard(self) -> None:
        """Delete every visible message unhandled (what earlier tests left)."""
        from chalicelib.aws import sqs

        client, url = sqs(), self.queue_url
        while messages := client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages"):
            for message in messages:
                client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


MAIL_WORKER = QueueWorker("mail_worker", "mail_queue_url")
PAYMENTS_WORKER = QueueWorker("payments_worker", "stripe_events_queue_url")


def deliver_queued_mail() -> int:
    """Send the mail the app queued so far (what the mail worker does in the cloud); returns how many."""
    return MAIL_WORKER.drain()


def drain_stripe_events() -> int:
    """Apply the Stripe events queued so far (what the payments worker does in the cloud); returns how many."""
    return PAYMENTS_WORKER.drain()


@dataclass
class Outbox:
    """The emails this test process sent through (moto's) SES, parsed; queued mail is delivered first."""

    def messages(self) -> list[Any]:
        from devstack.outbox import sent_messages

        deliver_queued_mail()
        return sent_messages()

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages() if address.lower() in (a.lower() for a in m.to)]


@pytest.fixture
def outbox(chalice_app: Any) -> Outbox:
    """An emptied outbox (mail queued by earlier tests dropped unsent): what the test sends or
    queues shows up in `.messages()` and `.to(address)`."""
    from devstack.outbox import clear

    MAIL_WORKER.discard()
    _drop_pending_digests()
    clear()
    return Outbox()


def _drop_pending_digests() -> None:
    """Digest windows earlier tests opened (`activity.record`): their delayed mail-queue messages would
    otherwise mail those tests' people into this test's outbox five minutes later."""
    from chalicelib.store import notifications

    for business_id, recipient, _ in notifications.digests_due("9999", 1000):
        notifications.PendingDigest(notifications.inbox_pk(business_id, recipient), notifications.DIGEST).delete()


def _emptied(worker: QueueWorker, name: str, doc: str) -> Any:
    """A fixture `name`: `worker` on its emptied queue (earlier tests' messages dropped unhandled),
    so `<name>.drain()` handles what the test queued."""

    @pytest.fixture(name=name)
    def fixture(chalice_app: Any) -> QueueWorker:
        worker.discard()
        return worker

    fixture.__doc__ = doc
    return fixture


previews_worker = _emptied(QueueWorker("previews_worker", "uploads_queue_url"), "previews_worker",
                           "The previews worker: `.drain()` handles the S3 notifications of what was uploaded since.")
views_worker = _emptied(QueueWorker("views_worker", "views_queue_url"), "views_worker",
                        "The views worker: `.drain()` records the opens queued so far.")
mail_feedback_worker = _emptied(QueueWorker("mail_feedback_worker", "mail_feedback_queue_url"), "mail_feedback_worker",
                                "The SES bounce/complaint worker.")
exports_worker = _emptied(QueueWorker("exports_worker", "exports_queue_url"), "exports_worker",
                          "The exports worker: `.drain()` writes the files queued so far.")
stripe_worker = _emptied(PAYMENTS_WORKER, "stripe_worker", "The payments worker: `.drain()` applies what was queued.")
mail_worker = _emptied(MAIL_WORKER, "mail_worker", "The mail worker: `.drain()` sends what was queued.")


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Start the two halves of the 500-example unlock model first: they are the longest modules,
    and with `--dist loadfile` each worker takes one and then shares the rest, instead of one
    worker starting a half at the end while the other sits idle."""
    items.sort(key=lambda item: 0 if "test_unlock_model_" in item.nodeid else 1)


@pytest.fixture
def frozen_clock() -> Iterator[None]:
    """The app's clock stands still for the test. Rate limits count in fixed windows: a test
    that presses Pay eleven times across a minute boundary would see a fresh window and no 429."""
    from datetime import UTC, datetime

    from chalicelib import clock

    moment = datetime.now(UTC)
    clock.use(lambda: moment)
    yield
    clock.use(None)
