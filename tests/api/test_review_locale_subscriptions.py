"""A subscriber whose business writes de_DE reads every date and amount of the Subscriptions tab,
the subscription's page and the period's invoice the German way, never an ISO date."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain import formatting
from tests.api.test_subscriptions_portal import _buy, _link
from tests.conftest import Api, QueueWorker, Tenant
from tests.support.client_flows import JSON
from tests.support.subscriptions import (
    FakeStripeSubscriptions,
    selling_business,
    stripe_subs,  # noqa: F401 (fixture)
)

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def _day(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, UTC).date().isoformat()


def test_the_subscription_tab_page_and_period_invoice_write_dates_in_the_locale(
        tenant: Tenant, anonymous: Api, stripe_worker: QueueWorker, stripe_subs: FakeStripeSubscriptions) -> None:  # noqa: F811
    selling = selling_business(tenant)
    assert tenant.api.patch("/api/v1/business", {"locale": "de_DE"}).status == 200
    bought = _buy(tenant, anonymous, stripe_worker, stripe_subs, selling["plans"]["basic"], "hal@subs.test")
    item = bought["sub"]["items"]["data"][0]
    start, end = _day(item["current_period_start"]), _day(item["current_period_end"])
    portal = _link(tenant, bought)

    tab = anonymous.get(f"{portal}?tab=subscriptions").text
    assert formatting.day(end, "de_DE") in tab and end not in tab
    page = anonymous.get(f"{portal}/subscriptions/{bought['sub_id']}").text
    assert formatting.day(end, "de_DE") in page and formatting.day(start, "de_DE") in page
    assert end not in page and start not in page
    # The data stays ISO for the JSON.
    shown = anonymous.get(f"{portal}/subscriptions/{bought['sub_id']}", headers=JSON).json["subscription"]
    assert shown["current_period_end"] == end

    # The period's invoice line names its period as the client reads dates, on the page and in the API.
    [paid] = tenant.api.get(f"/api/v1/subscriptions/{bought['sub_id']}").json["invoices"]
    [line] = tenant.api.get(f"/api/v1/invoices/{paid['invoice_id']}").json["lines"]
    assert start not in line["description"] and end not in line["description"]
    assert formatting.period(start, end, "de_DE") in line["description"]


def test_cancelling_twice_says_so_and_leads_back_to_the_subscription(
        tenant: Tenant, anonymous: Api, stripe_worker: QueueWorker, stripe_subs: FakeStripeSubscriptions) -> None:  # noqa: F811
    from tests.support.client_flows import FORM

    selling = selling_business(tenant)
    bought = _buy(tenant, anonymous, stripe_worker, stripe_subs, selling["plans"]["basic"], "ivy@subs.test")
    page = f"{_link(tenant, bought)}/subscriptions/{bought['sub_id']}"
    assert anonymous.call("POST", f"{page}/cancel", "", headers=FORM).status == 303
    again = anonymous.call("POST", f"{page}/cancel", "", headers=FORM)
    assert again.status == 409 and f'href="https://pay.example.test{page}"' in again.text
