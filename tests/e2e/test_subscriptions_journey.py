"""Subscriptions in the browser, on a `make dev` stack: Grace, who subscribed to Acme's monthly
membership through the offline checkout (the seed), signs in with the link emailed to her on a
phone, opens the Subscriptions tab and cancels at the end of the period (the offline stand-in
answers with Stripe's webhook event); staff see the subscription and its paid invoice in the
dashboard. Screenshots under build/e2e/."""
from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import outbox_link, reload_until, screenshot, sign_in

pytestmark = pytest.mark.slow


def test_a_subscriber_cancels_at_period_end_and_staff_see_it(desktop: Any, phone: Any, stack: dict[str, Any]) -> None:
    phone.goto(outbox_link(stack, "grace@acme.example", "/signin/confirm/", within=30))
    phone.get_by_role("button", name="Sign in").click()
    phone.goto(f"{stack['base_url']}/portal/me?tab=subscriptions")
    expect(phone.get_by_test_id("subscriptions")).to_contain_text("Members")
    phone.get_by_role("link", name="Members").click()
    expect(phone.get_by_test_id("subscription-summary")).to_contain_text("Next charge")
    # The paid period is recorded from the subscription's invoice.paid event, which the stack's
    # worker may apply a moment after the sign-in email went out: the page shows it once it is.
    reload_until(phone, lambda p: p.get_by_test_id("subscription-invoices"), within=30)
    expect(phone.get_by_test_id("subscription-invoices")).to_contain_text("Paid")  # sentence-case badge
    phone.get_by_role("button", name="Cancel at the end of this period").click()
    expect(phone.get_by_role("status")).to_contain_text("on its way")
    reload_until(phone, lambda p: p.get_by_role("button", name="Keep my subscription"))
    expect(phone.get_by_test_id("subscription-summary")).to_contain_text("ends on")
    screenshot(phone, "subscriptions-1-cancelled-at-period-end")

    sign_in(desktop, stack)
    desktop.get_by_test_id("nav-subscriptions").click()
    expect(desktop.get_by_test_id("subscription-row")).to_have_count(1)
    desktop.get_by_test_id("subscription-row").get_by_role("link").click()
    expect(desktop).to_have_url(re.compile(r"#/subscriptions/sub_offline_\w+$"))
    expect(desktop.get_by_role("table", name="Paid periods")).to_contain_text("INV-")
    screenshot(desktop, "subscriptions-2-staff")
