"""Recurring invoices issued by the hourly scheduler, with a fixed clock: each period's invoice
exactly once — retried, run twice at once, late by days, or after a run died halfway — numbered
like other invoices, dated in the business's time zone, sent (or left as drafts), with the
template's files attached per invoice; catch up or skip when late; ends; pause and resume."""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.services.recurring import issue
from chalicelib.services.recurring import scheduler as recurring_scheduler
from chalicelib.store import documents as docs
from chalicelib.store.recurring import get_template
from tests.support.client_flows import attach
from tests.support.recurring import Made, at, far_year, noon_utc, recurring_run, tick

AUCKLAND = "Pacific/Auckland"  # UTC+13 in (southern) summer, +12 in winter: its day starts before UTC's


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _numbers(invoices: list[dict[str, Any]]) -> list[int]:
    return [int(i["number"].split("-")[-1]) for i in invoices]


def _stored(made: Made, doc_id: str) -> docs.Document:
    document = docs.get_document(made.tenant.business_id, doc_id)
    assert document is not None
    return document


def test_thirteen_months_of_a_monthly_invoice_make_exactly_twelve_invoices(
        recurring: Callable[..., Made], outbox: Any) -> None:
    """Monthly from 31 January to an end on 31 December: twelve periods (31 Jan, 28 Feb, 31 Mar, …,
    31 Dec — the month-end rule keeps the 31st whenever the month has one). The walk runs thirteen
    months, to the end of the next January, so the 13th month checks the end holds: nothing after
    31 December. On the way: a missed run of five days, a retried run, and a run that died right
    after claiming its period. Daily runs at 12:00 UTC, which is already the next day in Auckland
    (the scheduler's recurring part; the whole scheduler function on the days that matter)."""
    year = far_year()
    made = recurring(date(year, 1, 31), time_zone=AUCKLAND, end="on_date", end_date=f"{year}-12-31")
    template = get_template(made.tenant.business_id, made.id)
    assert template is not None
    missed = set(_days(date(year, 6, 28), date(year, 7, 2)))  # the 30 June (Auckland) run never happened
    for day in _days(date(year, 1, 25), date(year + 1, 1, 31)):
        if day in missed:
            continue
        at(noon_utc(day))
        if day == date(year, 1, 29):
            tick()
            assert made.detail()["invoices"] == []  # 30 January in Auckland: not yet
            continue
        if day == date(year, 10, 30):  # 31 October in Auckland: a run claims the period and dies
            assert issue.claim(template, 9, clock.now()) is not None
            tick()  # within the dead run's lease: nobody else issues it, and nothing after it either
            assert made.detail()["invoices"][0]["state"] == "claimed"
            continue
        tick() if day.day == 30 else recurring_run()  # the whole function once a month
        if day == date(year, 1, 30):  # 12:00 UTC on 30 January is 01:00 on the 31st in Auckland
            assert [p["issue_date"] for p in made.detail()["invoices"]] == [f"{year}-01-31"]
        if day == date(year, 9, 29):
            tick()  # EventBridge retries the invocation
    invoices = made.produced()
    assert len(invoices) == 12
    february = 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28
    assert [i["issue_date"] for i in invoices] == [
        f"{year}-01-31", f"{year}-02-{february}", f"{year}-03-31", f"{year}-04-30", f"{year}-05-31", f"{year}-06-30",
        f"{year}-07-31", f"{year}-08-31", f"{year}-09-30", f"{year}-10-31", f"{year}-11-30", f"{year}-12-31"]
    first = _numbers(invoices)[0]
    assert _numbers(invoices) == list(range(first, first + 12))  # consecutive, in the order of the periods
    assert first == int(made.invoice["number"].split("-")[-1]) + 1  # numbered like the business's other invoices
    assert {i["status"] for i in invoices} == {"sent"}
    assert {i["total"] for i in invoices} == {50000} and {i["notes"] for i in invoices} == {"Monthly retainer"}
    assert {_stored(made, i["id"]).recurring_id for i in invoices} == {made.id}
    subjects = [m.subject for m in outbox.to(made.contact_email)]
    assert sorted(subjects) == sorted(f"Invoice {i['number']} from Monthly Co" for i in invoices)  # each once
    detail = made.detail()
    assert detail["status"] == "finished" and detail["next_date"] is None and detail["cycles_remaining"] == 0


def test_two_scheduler_runs_at_once_issue_each_period_once(recurring: Callable[..., Made]) -> None:
    made = recurring(date(far_year(), 3, 1), created_days_before=1)
    at(noon_utc(date.fromisoformat(made.template["start_date"]) + timedelta(days=75)))  # three periods due
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def run(use_handler: bool) -> None:
        barrier.wait()
        try:
            tick() if use_handler else recurring_scheduler.issue_due()
        except BaseException as e:  # collected and shown below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(n == 0,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tick()  # whatever a busy run left for later
    invoices = made.produced()
    assert errors == []
    assert [i["issue_date"][5:] for i in invoices] == ["03-01", "04-01", "05-01"]
    assert _numbers(invoices) == list(range(_numbers(invoices)[0], _numbers(invoices)[0] + 3))


def test_a_late_scheduler_skips_to_the_current_period_when_told_to(recurring: Callable[..., Made]) -> None:
    year = far_year()
    made = recurring(date(year, 1, 10), catch_up="skip", end="after", end_after=6)
    at(noon_utc(date(year, 4, 20)))  # January to April due: only April's is issued
    tick()
    assert [i["issue_date"] for i in made.produced()] == [f"{year}-04-10"]
    assert made.detail()["cycles_remaining"] == 2  # May and June are left of the six
    for month in (5, 6, 7, 8):
        at(noon_utc(date(year, month, 10)))
        tick()
    assert [i["issue_date"] for i in made.produced()] == [f"{year}-04-10", f"{year}-05-10", f"{year}-06-10"]
    assert made.detail()["status"] == "finished"


def test_after_n_cycles_it_stops_at_n_and_drafts_wait_unsent(recurring: Callable[..., Made], outbox: Any) -> None:
    year = far_year()
    made = recurring(date(year, 2, 1), end="after", end_after=3, auto_send=False, auto_charge=True)
    for day in _days(date(year, 2, 1), date(year, 7, 1))[::3]:
        at(noon_utc(day))
        recurring_run()
    invoices = made.produced()
    assert [i["issue_date"] for i in invoices] == [f"{year}-02-01", f"{year}-03-01", f"{year}-04-01"]
    assert {i["status"] for i in invoices} == {"draft"}
    assert outbox.to(made.contact_email) == []
    assert all(_stored(made, i["id"]).auto_charge for i in invoices)  # the card helper charges these


def test_a_paused_template_bills_nothing_until_resumed_then_only_from_then_on(recurring: Callable[..., Made]) -> None:
    year = far_year()
    made = recurring(date(year, 1, 5))
    at(noon_utc(date(year, 1, 5)))
    tick()
    assert made.tenant.api.post(f"/api/v1/recurring/{made.id}/pause").json["status"] == "paused"
    at(noon_utc(date(year, 4, 1)))
    tick()
    assert len(made.produced()) == 1
    resumed = made.tenant.api.post(f"/api/v1/recurring/{made.id}/resume").json
    assert resumed["status"] == "active" and resumed["next_date"] == f"{year}-04-05"  # Feb and March not billed
    at(noon_utc(date(year, 4, 5)))
    tick()
    tick()
    assert [i["issue_date"] for i in made.produced()] == [f"{year}-01-05", f"{year}-04-05"]


def test_each_months_invoice_gets_its_own_file_that_unlocks_when_that_month_is_paid(
        recurring: Callable[..., Made], make_tenant: Any) -> None:
    year = far_year()
    tenant = make_tenant("Monthly Co")
    report = tenant.file(b"Monthly report", "report.pdf", title="Monthly report")
    notes = tenant.file(b"Internal notes", "notes.pdf", title="Notes")

    def with_files(tenant: Any, invoice_id: str) -> None:
        attach(tenant, report, "invoice", invoice_id, "after_payment")
        attach(tenant, notes, "invoice", invoice_id, "internal")  # never shown to the client: not repeated

    monthly = recurring(date(year, 5, 1), tenant=tenant, prepare=with_files)
    assert monthly.template["files"] == [{"resource_id": report, "policy": "after_payment"}]
    for month in (5, 6):
        at(noon_utc(date(year, month, 1)))
        tick()
    may, june = monthly.produced()
    grants = {i["id"]: tenant.api.get(f"/api/v1/invoices/{i['id']}/grants").json["items"] for i in (may, june)}
    assert [[g["resource_id"] for g in found] for found in grants.values()] == [[report], [report]]
    assert {found[0]["state"] for found in grants.values()} == {"locked"}
    assert tenant.api.post(f"/api/v1/invoices/{may['id']}/payments", {}).status == 201
    states = {i: tenant.api.get(f"/api/v1/invoices/{i}/grants").json["items"][0]["state"] for i in grants}
    assert states == {may["id"]: "available", june["id"]: "locked"}


def test_a_run_that_fails_halfway_is_finished_by_a_later_run_without_a_second_invoice_or_email(
        recurring: Callable[..., Made], outbox: Any, monkeypatch: Any) -> None:
    from chalicelib.config import reset_settings

    year = far_year()
    made = recurring(date(year, 8, 1))
    at(noon_utc(date(year, 8, 1)))
    monkeypatch.setenv("MAIL_QUEUE_URL", "")  # the mail queue is unreachable for this run
    reset_settings()
    try:
        with pytest.raises(RuntimeError, match=r"1 recurring invoice\(s\) failed"):
            tick()
    finally:
        monkeypatch.undo()
        reset_settings()
    [period] = made.detail()["invoices"]
    assert period["state"] == "issued" and outbox.to(made.contact_email) == []  # numbered, not yet emailed
    tick()  # a retry at once: the failed run's lease still holds, nothing happens twice
    at(noon_utc(date(year, 8, 1), hour=13))  # an hour later the lease has run out: finished
    tick()
    [done] = made.detail()["invoices"]
    assert (done["state"], done["invoice_id"], done["number"]) == ("done", period["invoice_id"], period["number"])
    assert [m.subject for m in outbox.to(made.contact_email)] == [f"Invoice {period['number']} from Monthly Co"]
