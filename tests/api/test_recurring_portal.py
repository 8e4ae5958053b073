"""The portal's "recurring" tab: a contact sees their client's recurring invoices (frequency,
start, next date, invoices still to come, amount) and, opening one, the invoices it produced
(never drafts), each linking to its page. Another client's → 404; a removed contact → no access."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from tests.conftest import Api
from tests.support.client_flows import JSON
from tests.support.portal import portal_link
from tests.support.recurring import Made, at, far_year, noon_utc, recurring_run, templates

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


@pytest.fixture
def recurring(make_tenant: Any) -> Iterator[Callable[..., Made]]:
    yield from templates(make_tenant)


def _contact_id(made: Made) -> str:
    reply = made.tenant.api.get(f"/api/v1/clients/{made.client_id}")
    assert reply.status == 200, reply.body
    return str(reply.json["contacts"][0]["contact_id"])


def test_the_tab_and_page_show_the_schedule_and_the_invoices_it_produced(
        recurring: Callable[..., Made], anonymous: Api, dynamodb_calls: list[str]) -> None:
    year = far_year()
    made = recurring(date(year, 1, 15), end="after", end_after=6)
    drafts = recurring(date(year, 1, 15), tenant=made.tenant, auto_send=False)
    at(noon_utc(date(year, 2, 20)))
    recurring_run()
    path = portal_link(made.tenant, made.client_id, _contact_id(made))
    [shown] = anonymous.get(f"{path}?tab=recurring", headers=JSON).json["items"]
    assert shown["id"] == made.id and shown["frequency_words"] == "Every month"
    assert (shown["start_date"], shown["next_date"], shown["cycles_remaining"]) == (f"{year}-01-15", f"{year}-03-15", 4)
    assert shown["amount"]["display"] == "€500.00"
    html = anonymous.get(f"{path}?tab=recurring").text
    assert "Every month" in html and f"15 Mar {year}" in html and f"{path}/recurring/{made.id}" in html
    dynamodb_calls.clear()
    page = anonymous.get(f"{path}/recurring/{made.id}", headers=JSON).json
    assert len(dynamodb_calls) <= 4 and "Scan" not in dynamodb_calls, dynamodb_calls
    assert [i["issue_date"] for i in page["invoices"]] == [f"{year}-02-15", f"{year}-01-15"]
    assert [i["status"] for i in page["invoices"]] == ["sent", "overdue"]  # due 14 days after issue
    opened = anonymous.get(f"{path}/recurring/{made.id}").text
    for invoice in page["invoices"]:
        assert f"{path}/invoices/{invoice['id']}" in opened
        assert anonymous.get(f"{path}/invoices/{invoice['id']}").status == 200
    # The drafts' template belongs to another client of the same business: not this contact's.
    assert anonymous.get(f"{path}/recurring/{drafts.id}").status == 404
    own = portal_link(drafts.tenant, drafts.client_id, _contact_id(drafts))
    assert anonymous.get(f"{own}/recurring/{drafts.id}", headers=JSON).json["invoices"] == []  # drafts: never shown


def test_a_removed_contact_and_another_business_see_nothing(
        recurring: Callable[..., Made], anonymous: Api, make_tenant: Any) -> None:
    made = recurring(date(far_year(), 5, 1))
    contact_id = _contact_id(made)
    path = portal_link(made.tenant, made.client_id, contact_id)
    assert anonymous.get(f"{path}/recurring/{made.id}").status == 200
    other = recurring(date(far_year(), 5, 1), tenant=make_tenant("Other Co"))
    assert anonymous.get(f"{path}/recurring/{other.id}").status == 404  # another business's id
    assert made.tenant.api.delete(f"/api/v1/clients/{made.client_id}/contacts/{contact_id}").status == 200
    assert anonymous.get(f"{path}/recurring/{made.id}").status == 404
    assert anonymous.get(f"{path}?tab=recurring").status == 404
