"""Staff: recurring invoices under /api/v1/recurring — made from an invoice (its client, lines,
currency, notes, terms and files), listed, read with the invoices produced, edited, paused,
resumed and stopped; refused in plain words when the schedule cannot be followed; another
business's ids are 404. And the business's time zone they are dated in."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from tests.support.recurring import Made, at, far_year, noon_utc, recurring_run, templates


@pytest.fixture
def recurring(make_tenant: Any) -> Iterator[Callable[..., Made]]:
    yield from templates(make_tenant)


def test_a_recurring_invoice_copies_the_invoice_and_says_when_it_comes(recurring: Callable[..., Made]) -> None:
    year = far_year()
    made = recurring(date(year, 3, 31), end="after", end_after=4,
                     lines=[{"description": "Hosting", "unit_price": 2500, "quantity": "2"}])
    t = made.template
    assert t["client_id"] == made.client_id and t["client_name"] == "Acme Ltd" and t["currency"] == "EUR"
    assert t["lines"] == [{"description": "Hosting", "quantity": "2", "unit_price": 2500}] and t["total"] == 5000
    assert (t["notes"], t["terms"]) == ("Monthly retainer", "Net 14")
    assert (t["frequency"], t["frequency_words"], t["status"]) == ("monthly", "Every month", "active")
    assert (t["next_date"], t["cycles_remaining"], t["auto_send"], t["catch_up"]) == (f"{year}-03-31", 4, True, "catch_up")
    listed = made.tenant.api.get("/api/v1/recurring").json["items"]
    assert [r["id"] for r in listed] == [made.id]
    at(noon_utc(date(year, 4, 30)))
    recurring_run()
    detail = made.detail()
    assert [(p["issue_date"], p["state"]) for p in detail["invoices"]] == [(f"{year}-04-30", "done"),
                                                                          (f"{year}-03-31", "done")]
    assert detail["next_date"] == f"{year}-05-31" and detail["cycles_remaining"] == 2
    invoice = made.tenant.api.get(f"/api/v1/invoices/{detail['invoices'][0]['invoice_id']}").json
    assert invoice["number"] == detail["invoices"][0]["number"] and invoice["client_id"] == made.client_id


def test_editing_pausing_resuming_and_stopping(recurring: Callable[..., Made]) -> None:
    year = far_year()
    made = recurring(date(year, 1, 10))
    api, path = made.tenant.api, f"/api/v1/recurring/{made.id}"
    edited = api.patch(path, {"end": "on_date", "end_date": f"{year}-06-30", "auto_send": False, "frequency": "quarterly"})
    assert edited.status == 200, edited.body
    assert (edited.json["frequency"], edited.json["cycles_remaining"], edited.json["auto_send"]) == ("quarterly", 2, False)
    at(noon_utc(date(year, 1, 10)))
    recurring_run()
    refused = api.patch(path, {"frequency": "monthly"})
    assert refused.status == 409 and refused.error["field"] == "frequency"
    assert api.patch(path, {"end": "never"}).json["cycles_remaining"] is None
    assert api.post(f"{path}/resume").status == 409  # not paused
    assert api.post(f"{path}/pause").json["status"] == "paused"
    assert api.post(f"{path}/pause").status == 409
    assert api.post(f"{path}/resume").json["status"] == "active"
    stopped = api.post(f"{path}/stop")
    assert stopped.json["status"] == "stopped" and stopped.json["next_date"] is None
    assert api.post(f"{path}/resume").status == 409 and api.patch(path, {"auto_send": True}).status == 409


@pytest.mark.parametrize("body, field", [
    ({"frequency": "daily"}, "frequency"),
    ({"end": "after"}, "end_after"),
    ({"end": "after", "end_after": 0}, "end_after"),
    ({"end": "on_date", "end_date": "2001-01-01"}, "end_date"),
    ({"start_date": "1999-01-01"}, "start_date"),
    ({"start_date": "31-01-2027"}, "start_date"),
    ({"catch_up": "sometimes"}, "catch_up"),
    ({"surprise": True}, "surprise"),
])
def test_a_schedule_that_cannot_be_followed_is_refused_and_nothing_is_made(
        tenant: Any, body: dict[str, Any], field: str) -> None:
    invoice = tenant.invoice(sent=False)
    reply = tenant.api.post("/api/v1/recurring", {"invoice_id": invoice["id"], "frequency": "monthly",
                                                  "start_date": date.today().isoformat(), **body})
    assert reply.status == 400, reply.body
    assert reply.error["field"] == field and reply.error["message"]
    assert tenant.api.get("/api/v1/recurring").json["items"] == []


def test_another_business_cannot_see_use_or_change_them(recurring: Callable[..., Made], make_tenant: Any) -> None:
    made = recurring(date(far_year(), 2, 1))
    other = make_tenant("Other Co")
    path = f"/api/v1/recurring/{made.id}"
    for method, url in (("GET", path), ("PATCH", path), ("POST", f"{path}/pause"), ("POST", f"{path}/stop")):
        reply = other.api.call(method, url, {"auto_send": False} if method == "PATCH" else None)
        assert reply.status == 404, (method, url, reply.body)
    assert other.api.get("/api/v1/recurring").json["items"] == []
    stolen = other.api.post("/api/v1/recurring", {"invoice_id": made.invoice["id"], "frequency": "monthly",
                                                  "start_date": made.template["start_date"]})
    assert stolen.status == 404
    assert made.detail()["status"] == "active"


def test_the_business_time_zone_is_checked_against_the_zone_database(tenant: Any) -> None:
    assert tenant.api.get("/api/v1/business").json["time_zone"] == "UTC"
    for bad in ("Mars/Olympus_Mons", "../../etc/passwd", ""):
        reply = tenant.api.patch("/api/v1/business", {"time_zone": bad})
        assert reply.status == 400 and reply.error["field"] == "time_zone", reply.body
    assert tenant.api.patch("/api/v1/business", {"time_zone": "Europe/Paris"}).json["time_zone"] == "Europe/Paris"
