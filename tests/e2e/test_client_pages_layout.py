"""The invoice page, the portal and the receipt on a 390 × 844 phone and a 1366 px laptop:
what a client came for (amount due, when it is due, Pay, Download PDF) is in the first
viewport on the phone; screenshots of the three pages at both widths go under build/e2e/."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE, Staff, screenshot

pytestmark = pytest.mark.slow
PHONE_HEIGHT = PHONE["viewport"]["height"]  # type: ignore[index]


@pytest.fixture
def laptop(browser: Any) -> Iterator[Any]:
    # bypass_csp: the page's CSP would refuse the test's own axe-core script (the page runs as served).
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, bypass_csp=True)
    yield context.new_page()
    context.close()


def _in_first_viewport(page: Any, testid: str) -> None:
    box = page.get_by_test_id(testid).first.bounding_box()
    assert box is not None, testid
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE_HEIGHT, (testid, box)


def test_invoice_portal_and_receipt_on_a_phone_and_a_laptop(phone: Any, laptop: Any, staff: Staff) -> None:
    content = b"Brand guidelines, 30 pages.\n" * 40
    client_id, contact_id = staff.client("Layout Studio", "layout@client.test")
    due = (date.today() + timedelta(days=5)).isoformat()
    invoice = staff.call("POST", "/invoices", {"client_id": client_id, "due_date": due, "lines": [
        {"description": "Brand workshop", "unit_price": 45000, "quantity": "2"},
        {"description": "Logo files", "unit_price": 8785}]})
    rid = staff.file("Brand guidelines", "guidelines.txt", content)
    staff.call("POST", f"/invoices/{invoice['id']}/resources", {"resource_id": rid, "policy": "after_payment"})
    staff.call("POST", f"/invoices/{invoice['id']}/send")
    url = staff.call("POST", f"/invoices/{invoice['id']}/share")["url"]

    phone.goto(url)
    expect(phone.get_by_test_id("amount-due")).to_have_text("€987.85")
    expect(phone.get_by_test_id("due-words")).to_contain_text("Due in 5 days")
    for testid in ("amount-due", "due-words", "pay", "pdf"):
        _in_first_viewport(phone, testid)
    expect(phone.get_by_test_id("invoice-files")).to_contain_text("Brand guidelines")
    screenshot(phone, "client-invoice-390")
    laptop.goto(url)
    screenshot(laptop, "client-invoice-1366")
    assert_accessible(laptop, "invoice page")

    portal = staff.call("POST", f"/clients/{client_id}/contacts/{contact_id}/portal")["url"]
    phone.goto(portal)
    expect(phone.get_by_test_id("greeting")).to_have_text("Hello, Layout Studio")
    expect(phone.get_by_test_id("outstanding")).to_contain_text("€987.85")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # the tabs scroll inside their row; the page itself never does
    screenshot(phone, "client-portal-390")
    laptop.goto(portal)
    screenshot(laptop, "client-portal-1366")
    assert_accessible(laptop, "portal")

    phone.goto(url)
    phone.get_by_test_id("pay").click()
    expect(phone.get_by_test_id("test-mode")).to_be_visible(timeout=10_000)
    phone.get_by_test_id("offline-pay").click()
    phone.wait_for_url("**payment=success**")
    expect(phone.get_by_test_id("receipt")).to_be_visible(timeout=40_000)
    expect(phone.get_by_test_id("amount-paid")).to_have_text("€987.85")
    expect(phone.get_by_test_id("unlocked-files")).to_contain_text("guidelines.txt")
    screenshot(phone, "client-receipt-390")
    laptop.goto(phone.url)
    expect(laptop.get_by_test_id("receipt")).to_be_visible(timeout=20_000)
    screenshot(laptop, "client-receipt-1366")
    assert_accessible(laptop, "receipt")

    # A dead link: the branded dead end offers a fresh link, and the answer is the same for anyone.
    phone.goto(portal.rsplit("/", 1)[0] + "/" + "x" * 43)
    expect(phone.get_by_test_id("fresh-link")).to_be_visible()
    phone.get_by_label("Your email address").fill("someone@example.test")
    phone.get_by_test_id("fresh-link-submit").click()
    expect(phone.get_by_test_id("fresh-link-sent")).to_be_visible()
    screenshot(phone, "client-dead-end-390")
    laptop.goto(portal.rsplit("/", 1)[0] + "/" + "x" * 43)
    assert_accessible(laptop, "dead-end page")
