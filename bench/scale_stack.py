"""What the scale benchmarks share: a moto server in its own process (so the bench process's
memory is the app's alone, as in Lambda), the app's resources provisioned on it from
infra/resources.json, fast seeding with BatchWriteItem, and a DynamoDB call counter."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MOTO = """
import sys, time
sys.path.insert(0, {root!r})
from devstack.server import free_port, start_moto
server, endpoint = start_moto(free_port())
print(endpoint, flush=True)
sys.stdin.read()  # until the bench closes our stdin
server.stop()
"""


@contextmanager
def local_stack(stack_name: str = "paydrop-bench") -> Iterator[Any]:
    """A moto server in a child process with the app's resources; this process pointed at it."""
    child = subprocess.Popen([sys.executable, "-c", MOTO.format(root=str(ROOT))], cwd=ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert child.stdout is not None
        endpoint = child.stdout.readline().strip()
        from devstack.provision import provision
        from devstack.server import configure_environment

        resources = provision(endpoint, stack_name=stack_name)
        configure_environment(resources.as_env("bench"), "https://pay.example.test")
        os.environ["PAYDROP_BENCH_ENDPOINT"] = endpoint
        yield resources
    finally:
        if child.stdin:
            child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()


def batch_save(items: Iterable[Any]) -> tuple[int, float]:
    """Write `items` with BatchWriteItem (25 per request); returns (count, seconds)."""
    from chalicelib.store.table import BaseItem

    start, count = time.perf_counter(), 0
    with BaseItem.batch_write() as batch:
        for item in items:
            batch.save(item)
            count += 1
    return count, time.perf_counter() - start


@dataclass
class Call:
    name: str
    seconds: float  # from the request's start to its parsed response: moto's share of the time
    items: int  # what DynamoDB returned (Count of a Query, items of a BatchGet or GetItem)


@contextmanager
def dynamodb_calls() -> Iterator[list[Call]]:
    """The DynamoDB operations made inside the block, timed (botocore `before-call`/`after-call`).

    moto answers an index Query by looking at every item of the table, so its time grows with
    the table; DynamoDB's grows with what the query reads. Benches report the app's own time
    (the rest) and the items each call returned, which is what a DynamoDB read costs."""
    from chalicelib.store.table import BaseItem

    calls: list[Call] = []
    started: list[float] = []
    events = BaseItem._get_connection().connection.client.meta.events

    def before(model: Any, **_: Any) -> None:
        started.append(time.perf_counter())

    def after(model: Any, parsed: Any = None, **_: Any) -> None:
        parsed = parsed or {}
        items = parsed.get("Count")
        if items is None:
            items = sum(len(v) for v in parsed.get("Responses", {}).values()) if "Responses" in parsed else \
                int("Item" in parsed)
        calls.append(Call(model.name, time.perf_counter() - started.pop(), int(items)))

    events.register("before-call.dynamodb", before)
    events.register("after-call.dynamodb", after)
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb", before)
        events.unregister("after-call.dynamodb", after)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_env() -> dict[str, str]:
    """The environment a bench child process needs to reach the same local stack."""
    return {**os.environ}


# --- a business with clients and history, seeded fast -----------------------------------


class Staff:
    """The staff API through Chalice's test client, signed in as a new business's owner."""

    def __init__(self, http: Any, business_id: str, token: str) -> None:
        self.http, self.business_id, self.token = http, business_id, token

    def call(self, method: str, path: str, body: Any = None) -> Any:
        import json

        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        reply = self.http.http.request(method=method, path=path, headers=headers,
                                       body=json.dumps(body).encode() if body is not None else b"")
        assert reply.status_code < 300, (method, path, reply.status_code, reply.body[:300])
        return json.loads(reply.body) if reply.body else None


@contextmanager
def staff_client() -> Iterator[tuple[Any, Staff]]:
    """The app under Chalice's test client and a freshly opened business's owner."""
    import secrets

    from chalice.test import Client

    from app import app
    from chalicelib.services.accounts import onboarding
    from chalicelib.services.identity import staff_auth

    email, password = f"owner-{secrets.token_hex(4)}@bench.test", "Correct-Horse-Battery-9"
    business = onboarding.open_business("Northwind Studio", email, password, currency="EUR")
    token = str(staff_auth.login(email, password)["id_token"])
    with Client(app, stage_name="dev", project_dir=str(ROOT)) as http:
        yield http, Staff(http, business.business_id, token)


def client_with_portal(staff: Staff, name: str) -> tuple[str, str]:
    """A client with one contact; (client_id, the contact's portal path)."""
    made = staff.call("POST", "/api/v1/clients", {"name": name, "contacts": [{"name": "Pat", "email": "pat@acme.test"}]})
    client_id, contact_id = made["client_id"], made["contacts"][0]["contact_id"]
    url = staff.call("POST", f"/api/v1/clients/{client_id}/contacts/{contact_id}/portal")["url"]
    return client_id, "/" + url.split("/", 3)[3]


def history(business_id: str, client_id: str, count: int, years: int = 5, open_count: int = 10) -> Iterator[Any]:
    """`count` invoices over `years` (the last `open_count` still open, the rest paid), each paid one
    with its payment: what the store holds for a client with that much history."""
    from datetime import UTC, datetime, timedelta

    from chalicelib.domain import invoices as rules
    from chalicelib.store import documents as docs
    from chalicelib.store.table import iso

    start = datetime(2021, 12, 1, 9, tzinfo=UTC)
    step = timedelta(days=365 * years) / max(count, 1)
    for n in range(count):
        issued = start + step * n
        total = 10_000 + n
        paid = n < count - open_count
        document = docs.new_document(
            business_id, f"{client_id[:8]}{n:08d}", rules.INVOICE, iso(issued), number=f"INV-{n + 1:05d}",
            status=rules.PAID if paid else rules.SENT, client_id=client_id, bill_to=docs.BillTo(name="Acme Ltd"),
            currency="EUR", issue_date=issued.date().isoformat(), due_date=(issued + timedelta(days=14)).date().isoformat(),
            lines=[docs.LineMap(description="Design work", quantity="1", unit_price=total, net=total, tax=0)],
            subtotal=total, total=total, amount_paid=total if paid else 0, updated_at=iso(issued),
            sent_at=iso(issued), paid_at=iso(issued + timedelta(days=10)) if paid else None)
        yield document
        if paid:
            received = issued + timedelta(days=10)
            yield docs.new_payment(document, f"p{n:08d}", iso(received), amount=total, currency="EUR",
                                   method="bank_transfer", received_on=received.date().isoformat())
