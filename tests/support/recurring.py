"""Recurring invoices as test steps: a fixed clock to walk, the hourly scheduler tick, and a
template made through the staff API from a real invoice."""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from chalicelib import clock
from tests.support.events import event

_serial = itertools.count(1)


def at(moment: datetime) -> None:
    clock.use(lambda: moment)


def noon_utc(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def tick() -> None:
    """What EventBridge does every hour: invoke the scheduler function with a scheduled event."""
    from app import app
    from devstack.pump import LambdaContext

    app.handler_map["scheduler"](event("eventbridge/scheduled"), LambdaContext("scheduler"))


def recurring_run() -> None:
    """The scheduler's recurring part alone, as `tick` runs it (a walk of a year in ticks would
    spend its time on the reminders' 64 queries a tick); raises when a template failed, as the tick does."""
    from chalicelib.services.recurring import scheduler

    run = scheduler.issue_due(clock.now())
    assert run.failed == [], run


def far_year() -> int:
    """A year of its own for each test: templates of other tests are never due in it (the agenda is
    shared by every business of the test process)."""
    return datetime.now(UTC).year + 2 + next(_serial)


@dataclass
class Made:
    tenant: Any
    template: dict[str, Any]
    invoice: dict[str, Any]
    client_id: str
    contact_email: str
    all: list[tuple[Any, str]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.template["id"])

    def detail(self) -> dict[str, Any]:
        reply = self.tenant.api.get(f"/api/v1/recurring/{self.id}")
        assert reply.status == 200, reply.body
        return reply.json  # type: ignore[no-any-return]

    def produced(self) -> list[dict[str, Any]]:
        """The invoices it produced, oldest first, as staff's invoice API shows them."""
        found = []
        for period in reversed(self.detail()["invoices"]):
            reply = self.tenant.api.get(f"/api/v1/invoices/{period['invoice_id']}")
            assert reply.status == 200, reply.body
            found.append(reply.json)
        return found


def templates(make_tenant: Any) -> Iterator[Callable[..., Made]]:
    """For a fixture: make a template (clock set `created_days_before` the start); every template
    made is stopped after the test, and the real clock put back."""
    made: list[Made] = []

    def make(start: date, tenant: Any = None, time_zone: str = "UTC", created_days_before: int = 5,
             lines: list[dict[str, Any]] | None = None, prepare: Callable[[Any, str], None] | None = None,
             **schedule: Any) -> Made:
        tenant = tenant or make_tenant("Monthly Co")
        at(noon_utc(start - timedelta(days=created_days_before)))
        assert tenant.api.patch("/api/v1/business", {"time_zone": time_zone}).status == 200
        email = f"payer-{next(_serial)}@recurring.test"
        client = tenant.api.post("/api/v1/clients", {"name": "Acme Ltd", "contacts": [{"name": "Ada", "email": email}]})
        assert client.status == 201, client.body
        invoice = tenant.api.post("/api/v1/invoices", {
            "client_id": client.json["client_id"], "notes": "Monthly retainer", "terms": "Net 14",
            "lines": lines or [{"description": "Retainer", "unit_price": 50000}]})
        assert invoice.status == 201, invoice.body
        if prepare is not None:  # e.g. attach files to the invoice before it is made recurring
            prepare(tenant, invoice.json["id"])
        reply = tenant.api.post("/api/v1/recurring", {"invoice_id": invoice.json["id"], "frequency": "monthly",
                                                      "start_date": start.isoformat(), **schedule})
        assert reply.status == 201, reply.body
        one = Made(tenant, reply.json, invoice.json, client.json["client_id"], email)
        made.append(one)
        return one

    yield make
    for one in made:
        one.tenant.api.post(f"/api/v1/recurring/{one.id}/stop")
    clock.use(None)
