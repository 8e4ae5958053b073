"""Recurring invoices in the browser, on a `make dev` stack: staff make an invoice recurring from
its page and see the schedule; the client opens the portal's Recurring tab on a phone and the seeded
monthly retainer with the two invoices the scheduler produced. Screenshots under build/e2e/."""
from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Staff, screenshot, sign_in

pytestmark = pytest.mark.slow


def test_staff_make_an_invoice_recurring_and_the_client_sees_the_monthly_invoices(
        desktop: Any, phone: Any, stack: dict[str, Any], staff: Staff) -> None:
    page = desktop
    sign_in(page, stack)
    page.goto(f"{stack['dashboard_url']}#/invoices/{stack['sent_invoice_id']}")
    page.get_by_test_id("make-recurring-open").click()
    page.get_by_test_id("recurring-frequency").select_option("quarterly")
    page.get_by_test_id("recurring-save").click()
    expect(page).to_have_url(re.compile(r"#/recurring/[0-9a-f]+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Every 3 months")
    screenshot(page, "recurring-1-staff-made-recurring")
    page.get_by_test_id("nav-recurring").click()
    expect(page.get_by_test_id("recurring-row")).to_have_count(2)  # the seeded retainer and this one
    made = [r for r in staff.call("GET", "/recurring")["items"] if r["frequency"] == "quarterly"]
    staff.call("POST", f"/recurring/{made[0]['id']}/stop")

    phone.goto(f"{stack['portal_url']}?tab=recurring")
    expect(phone.get_by_test_id("recurring")).to_contain_text("Every month")
    phone.get_by_role("link", name="Every month").click()
    expect(phone.get_by_test_id("recurring-invoices").locator("tbody tr")).to_have_count(2)
    expect(phone.get_by_test_id("recurring-invoices")).to_contain_text("Paid")
    screenshot(phone, "recurring-2-client-portal")
