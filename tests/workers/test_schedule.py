"""The scheduler (`@app.schedule`, name "scheduler"), driven through its registered handler with an
EventBridge sample event and a fixed clock: payment reminders before, on and after the due date
(once per step, even run twice or in two threads), nothing for opted-out contacts or paid and
cancelled invoices; overdue shown from the date alone; access that ran out marked expired."""
from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from chalicelib import clock
from tests.support.client_flows import attach
from tests.support.events import event

# Each test works on its own stretch of future dates, far from today's invoices and each other's:
# the agenda is shared by every business of the test process.
_stretches = itertools.count(1)
SETTINGS = {"reminder_days_before": 3, "reminder_on_due": True, "reminder_days_after": 7}


@pytest.fixture
def today() -> Iterator[Callable[[date], None]]:
    """Fix the app's clock on a day (10:00 UTC); the real clock again after the test."""
    def use(day: date) -> None:
        moment = datetime.combine(day, time(10, 0), tzinfo=UTC)
        clock.use(lambda: moment)

    yield use
    clock.use(None)


@pytest.fixture
def due() -> date:
    return datetime.now(UTC).date() + timedelta(days=150 * next(_stretches) + 100)


def tick() -> None:
    """What EventBridge does every hour: invoke the scheduler function with a scheduled event."""
    from app import app
    from devstack.pump import LambdaContext

    app.handler_map["scheduler"](event("eventbridge/scheduled"), LambdaContext("scheduler"))


def _reminding_tenant(make_tenant: Any, **settings: Any) -> Any:
    tenant = make_tenant("Reminding Co")
    reply = tenant.api.patch("/api/v1/business", {**SETTINGS, **settings})
    assert reply.status == 200, reply.body
    return tenant


def _invoice(tenant: Any, address: str, due_on: date, sent_on: date, today: Callable[[date], None]) -> dict[str, Any]:
    today(sent_on)
    client = tenant.api.post("/api/v1/clients", {"name": "Late Payer", "contacts": [{"name": "Lee", "email": address}]})
    assert client.status == 201, client.body
    made = tenant.api.post("/api/v1/invoices", {"client_id": client.json["client_id"], "issue_date": sent_on.isoformat(),
                                                "due_date": due_on.isoformat(),
                                                "lines": [{"description": "Work", "unit_price": 12300}]})
    assert made.status == 201, made.body
    assert tenant.api.post(f"/api/v1/invoices/{made.json['id']}/send").status == 200
    return made.json  # type: ignore[no-any-return]


def _subjects(outbox: Any, address: str) -> list[str]:
    return [m.subject for m in outbox.to(address)]


def test_reminders_go_before_on_and_after_the_due_date_once_each(
        make_tenant: Any, outbox: Any, today: Callable[[date], None], due: date) -> None:
    tenant = _reminding_tenant(make_tenant)
    invoice = _invoice(tenant, "lee-1@late.test", due, due - timedelta(days=20), today)
    today(due - timedelta(days=4))
    tick()
    assert _subjects(outbox, "lee-1@late.test") == []  # nothing yet: 4 days before
    for day, subject in ((due - timedelta(days=3), "Reminder:"), (due, "Due today:"), (due + timedelta(days=7), "Overdue:")):
        today(day)
        tick()
        tick()  # a retried invocation
        assert _subjects(outbox, "lee-1@late.test") == [f"{subject} invoice {invoice['number']} from Reminding Co"]
        outbox_text = outbox.to("lee-1@late.test")[0].text
        assert "123.00" in outbox_text and "/invoice/" in outbox_text and "src=email" in outbox_text
        from devstack.outbox import clear

        clear()
    today(due + timedelta(days=8))
    tick()
    assert _subjects(outbox, "lee-1@late.test") == []


def test_two_ticks_at_the_same_moment_send_each_step_once(
        make_tenant: Any, outbox: Any, today: Callable[[date], None], due: date) -> None:
    tenant = _reminding_tenant(make_tenant)
    for n in range(3):
        _invoice(tenant, f"lee-race-{n}@late.test", due, due - timedelta(days=10), today)
    today(due)
    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [len(_subjects(outbox, f"lee-race-{n}@late.test")) for n in range(3)] == [1, 1, 1]


def test_a_missed_day_is_caught_up_but_never_as_a_burst(
        make_tenant: Any, outbox: Any, today: Callable[[date], None], due: date) -> None:
    tenant = _reminding_tenant(make_tenant)
    _invoice(tenant, "lee-2@late.test", due, due - timedelta(days=20), today)
    today(due + timedelta(days=1))  # the "before" and "due" ticks were missed
    tick()
    assert _subjects(outbox, "lee-2@late.test") == [s for s in _subjects(outbox, "lee-2@late.test")
                                                     if s.startswith("Due today:")]
    assert len(_subjects(outbox, "lee-2@late.test")) == 1  # the latest step only
    today(due + timedelta(days=30))  # weeks late: the "after" step (day 7) is stale by now
    tick()
    assert len(_subjects(outbox, "lee-2@late.test")) == 1


def test_contacts_who_turned_reminders_off_get_nothing(
        make_tenant: Any, outbox: Any, today: Callable[[date], None], due: date) -> None:
    from chalicelib.store.clients import Contact, list_contacts

    tenant = _reminding_tenant(make_tenant)
    invoice = _invoice(tenant, "lee-3@late.test", due, due - timedelta(days=10), today)
    [contact] = list_contacts(tenant.business_id, invoice["client_id"])
    contact.update(actions=[Contact.wants_reminders.set(False)])
    today(due)
    tick()
    assert _subjects(outbox, "lee-3@late.test") == []


@pytest.mark.parametrize("settle", ["paid", "cancelled"])
def test_paid_and_cancelled_invoices_get_no_reminder(
        make_tenant: Any, outbox: Any, today: Callable[[date], None], due: date, settle: str) -> None:
    tenant = _reminding_tenant(make_tenant)
    invoice = _invoice(tenant, f"lee-{settle}@late.test", due, due - timedelta(days=10), today)
    path = f"/api/v1/invoices/{invoice['id']}/" + ("payments" if settle == "paid" else "cancel")
    assert tenant.api.post(path, {}).status in (200, 201)
    for day in (due - timedelta(days=3), due, due + timedelta(days=7)):
        today(day)
        tick()
    assert _subjects(outbox, f"lee-{settle}@late.test") == []


def test_a_business_without_reminder_settings_sends_none(
        make_tenant: Any, outbox: Any, today: Callable[[date], None], due: date) -> None:
    tenant = make_tenant("Quiet Co")
    _invoice(tenant, "lee-4@late.test", due, due - timedelta(days=10), today)
    for day in (due - timedelta(days=3), due, due + timedelta(days=7)):
        today(day)
        tick()
    assert _subjects(outbox, "lee-4@late.test") == []


def test_a_new_due_date_rearms_the_steps(
        make_tenant: Any, outbox: Any, today: Callable[[date], None], due: date) -> None:
    tenant = _reminding_tenant(make_tenant, reminder_days_before=None, reminder_days_after=None)
    invoice = _invoice(tenant, "lee-5@late.test", due, due - timedelta(days=10), today)
    today(due)
    tick()
    later = due + timedelta(days=14)
    assert tenant.api.patch(f"/api/v1/invoices/{invoice['id']}", {"due_date": later.isoformat()}).status == 200
    today(later)
    tick()
    tick()
    assert len(_subjects(outbox, "lee-5@late.test")) == 2


def test_overdue_is_shown_from_the_date_and_the_scheduler_writes_nothing_to_the_invoice(
        make_tenant: Any, today: Callable[[date], None], due: date) -> None:
    tenant = make_tenant("Quiet Co")
    invoice = _invoice(tenant, "lee-6@late.test", due, due - timedelta(days=10), today)
    today(due)
    before = tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json
    assert before["display_status"] == "sent"
    today(due + timedelta(days=1))
    tick()
    after = tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json
    assert (after["display_status"], after["status"], after["overdue"]) == ("overdue", "sent", True)
    assert after["updated_at"] == before["updated_at"]
    listed = tenant.api.get("/api/v1/invoices?status=overdue").json["items"]
    assert [d["id"] for d in listed] == [invoice["id"]]
    today(due)
    assert tenant.api.get("/api/v1/invoices?status=overdue").json["items"] == []


def test_access_that_ran_out_is_marked_expired_once_by_policy(
        tenant: Any, anonymous: Any, today: Callable[[date], None], due: date) -> None:
    today(due)
    invoice = tenant.invoice()
    rid = tenant.file()
    made = attach(tenant, rid, "invoice", invoice["id"], "visible", access_days=2)
    grant = made["grants"][0]
    today(due + timedelta(days=1))
    tick()
    listed = tenant.api.get(f"/api/v1/invoices/{invoice['id']}/grants").json["items"]
    assert [g["state"] for g in listed] == ["available"]
    today(due + timedelta(days=3))
    tick()
    tick()
    [stored] = tenant.api.get(f"/api/v1/invoices/{invoice['id']}/grants").json["items"]
    assert stored["state"] == "expired"
    assert stored["history"][-1]["by"] == "policy" and stored["history"][-1]["reason"] == "access_period_ended"
    log = tenant.api.get(f"/api/v1/resources/{rid}/access-log").json["items"]
    assert [(e["action"], e["actor"]) for e in log] == [("expire", "policy")]
    assert grant["grant_id"] == stored["grant_id"]


def test_staff_releasing_an_expired_grant_starts_a_new_period(
        tenant: Any, anonymous: Any, today: Callable[[date], None], due: date) -> None:
    from tests.conftest import local_path

    today(due)
    invoice = tenant.invoice()
    grant = attach(tenant, tenant.file(), "invoice", invoice["id"], "visible", access_days=2)["grants"][0]
    today(due + timedelta(days=5))
    tick()
    base = f"/api/v1/invoices/{invoice['id']}/grants/{grant['grant_id']}"
    released = tenant.api.post(f"{base}/release")
    assert released.status == 200, released.body
    assert released.json["state"] == "available"
    assert released.json["access_expires_at"].startswith((due + timedelta(days=7)).isoformat())
    assert anonymous.get(local_path(grant["download_url"])).status == 302


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"reminder_days_before": 0}, "reminder_days_before", "Reminder days before must be from 1 to 30 days."),
    ({"reminder_days_after": 31}, "reminder_days_after", "Reminder days after must be from 1 to 30 days."),
    ({"reminder_on_due": "yes"}, "reminder_on_due", ""),
])
def test_reminder_settings_are_checked_and_nothing_is_written(tenant: Any, body: dict[str, Any], field: str,
                                                              words: str) -> None:
    reply = tenant.api.patch("/api/v1/business", body)
    assert reply.status == 400 and reply.error["field"] == field and words in reply.error["message"], reply.body
    stored = tenant.api.get("/api/v1/business").json
    assert (stored["reminder_days_before"], stored["reminder_on_due"], stored["reminder_days_after"]) == (None, False, None)


def test_reminder_settings_are_saved_and_cleared(tenant: Any) -> None:
    assert tenant.api.patch("/api/v1/business", SETTINGS).json["reminder_days_after"] == 7
    cleared = tenant.api.patch("/api/v1/business", {"reminder_days_after": None}).json
    assert (cleared["reminder_days_before"], cleared["reminder_on_due"], cleared["reminder_days_after"]) == (3, True, None)


def test_a_reminder_that_could_not_be_queued_is_sent_by_the_next_run(
        make_tenant: Any, outbox: Any, today: Callable[[date], None], due: date,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.config import reset_settings

    tenant = _reminding_tenant(make_tenant)
    _invoice(tenant, "lee-7@late.test", due, due - timedelta(days=10), today)
    today(due)
    monkeypatch.setenv("MAIL_QUEUE_URL", "")  # the mail queue is unreachable for this run
    reset_settings()
    try:
        with pytest.raises(RuntimeError, match=r"\b1 reminder\(s\) could not be queued"):
            tick()
    except BaseException:
        monkeypatch.undo()
        reset_settings()
        raise
    monkeypatch.undo()
    reset_settings()
    assert _subjects(outbox, "lee-7@late.test") == []
    tick()
    assert len(_subjects(outbox, "lee-7@late.test")) == 1


def test_an_hourly_rerun_on_the_same_day_writes_nothing(
        make_tenant: Any, outbox: Any, today: Callable[[date], None], due: date, dynamodb_calls: list[str]) -> None:
    tenant = _reminding_tenant(make_tenant)
    for n in range(3):
        _invoice(tenant, f"lee-hourly-{n}@late.test", due, due - timedelta(days=10), today)
    today(due)
    tick()
    dynamodb_calls.clear()
    tick()
    assert not {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"} & set(dynamodb_calls), dynamodb_calls
    assert "Scan" not in dynamodb_calls
    assert [len(_subjects(outbox, f"lee-hourly-{n}@late.test")) for n in range(3)] == [1, 1, 1]


def test_a_reminder_the_queue_refused_halfway_is_never_sent_twice_to_anyone(
        make_tenant: Any, outbox: Any, today: Callable[[date], None], due: date,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two contacts, the queue refuses the second: the run used to release the claim, and the
    next run sent the first contact the same reminder again."""
    from chalicelib.domain.errors import Unavailable
    from chalicelib.services.notifications import notifications

    tenant = _reminding_tenant(make_tenant)
    invoice = _invoice(tenant, "ann-8@late.test", due, due - timedelta(days=10), today)
    added = tenant.api.post(f"/api/v1/clients/{invoice['client_id']}/contacts", {"name": "Bo", "email": "bo-8@late.test"})
    assert added.status == 201, added.body
    today(due)
    real = notifications.email_contact
    calls: list[str] = []

    def refuses_the_second(business: Any, contact: Any, *args: Any) -> bool:
        calls.append(contact.email)
        if len(calls) == 2:
            raise Unavailable("Email could not be sent right now; try again shortly.")
        return real(business, contact, *args)

    monkeypatch.setattr(notifications, "email_contact", refuses_the_second)
    with pytest.raises(RuntimeError, match=r"\b1 reminder\(s\) reached only some contacts"):
        tick()
    monkeypatch.undo()
    tick()
    first, second = calls
    assert len(_subjects(outbox, first)) == 1 and _subjects(outbox, second) == []
