"""Review of issue 15's recurring invoices: a template that ends after N cycles issues N invoices
however long it was paused (the periods that fell while paused are neither billed nor counted)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from tests.support.recurring import Made, at, far_year, noon_utc, recurring_run, templates


@pytest.fixture
def recurring(make_tenant: Any) -> Iterator[Callable[..., Made]]:
    yield from templates(make_tenant)


def test_pausing_does_not_use_up_invoices_of_a_template_that_ends_after_n(recurring: Callable[..., Made]) -> None:
    year = far_year()
    made = recurring(date(year, 1, 10), end="after", end_after=4)
    api, path = made.tenant.api, f"/api/v1/recurring/{made.id}"
    at(noon_utc(date(year, 2, 10)))
    recurring_run()  # January and February
    assert api.post(f"{path}/pause").json["cycles_remaining"] == 2
    at(noon_utc(date(year, 5, 1)))
    resumed = api.post(f"{path}/resume").json  # March and April fell while paused: not billed
    assert (resumed["status"], resumed["next_date"], resumed["cycles_remaining"]) == ("active", f"{year}-05-10", 2)
    at(noon_utc(date(year, 12, 20)))
    recurring_run()
    detail = made.detail()
    assert [p["issue_date"] for p in reversed(detail["invoices"])] == [
        f"{year}-01-10", f"{year}-02-10", f"{year}-05-10", f"{year}-06-10"]
    assert (detail["status"], detail["cycles_remaining"]) == ("finished", 0)



def test_a_paused_template_promises_no_next_invoice(recurring: Callable[..., Made], anonymous: Any) -> None:
    from tests.support.client_flows import JSON
    from tests.support.portal import portal_link

    year = far_year()
    made = recurring(date(year, 1, 10))
    api = made.tenant.api
    at(noon_utc(date(year, 1, 10)))
    recurring_run()
    assert api.post(f"/api/v1/recurring/{made.id}/pause").json["next_date"] is None
    at(noon_utc(date(year, 3, 20)))  # 10 February and 10 March passed while paused: neither comes
    contact = api.get(f"/api/v1/clients/{made.client_id}").json["contacts"][0]["contact_id"]
    path = portal_link(made.tenant, made.client_id, contact)
    [shown] = anonymous.get(f"{path}?tab=recurring", headers=JSON).json["items"]
    assert (shown["status"], shown["next_date"]) == ("paused", None)
    assert "10 Feb" not in anonymous.get(f"{path}?tab=recurring").text
    assert api.post(f"/api/v1/recurring/{made.id}/resume").json["next_date"] == f"{year}-04-10"
