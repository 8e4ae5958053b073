"""Forms whose answer is a redirect to another origin, in Chromium on a phone: Pay → the
checkout (served on its own origin by `make dev`, as Stripe's is), back to the page that
confirms the payment by itself; the portal's statement → the files bucket. CSP
`form-action` applies to every hop, and Chromium drops a blocked form without a word, so
each test also fails on any CSP report in the console."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from chalicelib.domain.formatting import day
from tests.e2e.conftest import PHONE, Staff, screenshot

pytestmark = pytest.mark.slow


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def phone_watched(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A phone-sized page and the CSP violations its console reports."""
    context = browser.new_context(**PHONE, accept_downloads=True)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    yield page, violations
    context.close()


def test_pay_on_another_origin_then_the_page_confirms_by_itself_and_offers_the_files(
        phone_watched: tuple[Any, list[str]], staff: Staff, stack: dict[str, Any]) -> None:
    phone, violations = phone_watched
    content = b"Mixing guide, 12 pages.\n" * 40
    client_id, _ = staff.client("Origin Audio", "buyer@origin.test")
    invoice = staff.call("POST", "/invoices", {"client_id": client_id,
                                               "lines": [{"description": "Mixing course", "unit_price": 4900}]})
    rid = staff.file("Mixing guide", "mixing.txt", content)
    staff.call("POST", f"/invoices/{invoice['id']}/resources", {"resource_id": rid, "policy": "after_payment"})
    staff.call("POST", f"/invoices/{invoice['id']}/send")
    url = staff.call("POST", f"/invoices/{invoice['id']}/share")["url"]

    phone.goto(url)
    phone.get_by_test_id("pay").click()
    expect(phone.get_by_test_id("test-mode")).to_be_visible(timeout=10_000)
    assert origin(phone.url) == stack["offline_checkout_url"] != origin(url)  # another origin, like Stripe's
    phone.get_by_test_id("offline-pay").click()
    phone.wait_for_url("**payment=success**")
    assert origin(phone.url) == origin(url)
    # No reload from the test: the page refreshes itself until the payment is recorded, and
    # never offers to pay again meanwhile.
    expect(phone.get_by_test_id("pay")).to_have_count(0)
    receipt = phone.get_by_test_id("receipt")
    expect(receipt).to_be_visible(timeout=40_000)
    expect(phone.get_by_test_id("pay")).to_have_count(0)
    expect(receipt).to_contain_text("€49.00")
    expect(receipt).to_contain_text(day(date.today()))  # by the business's locale
    expect(receipt).to_contain_text("pi_offline_")
    expect(phone.get_by_test_id("payment-notice")).to_contain_text("this invoice is paid")
    files = phone.get_by_test_id("unlocked-files")
    expect(files).to_contain_text("mixing.txt")
    with phone.expect_download(timeout=15_000) as download:
        files.get_by_role("link", name="Download").click()
    assert Path(download.value.path()).read_bytes() == content
    screenshot(phone, "forms-paid-on-another-origin-receipt")
    assert violations == []


def test_the_portal_statement_downloads_a_pdf_on_a_phone(
        phone_watched: tuple[Any, list[str]], staff: Staff) -> None:
    phone, violations = phone_watched
    client_id, contact_id = staff.client("Statement Co", "books@statement.test")
    invoice = staff.call("POST", "/invoices", {"client_id": client_id,
                                               "lines": [{"description": "Retainer", "unit_price": 25000}]})
    staff.call("POST", f"/invoices/{invoice['id']}/send")
    portal = staff.call("POST", f"/clients/{client_id}/contacts/{contact_id}/portal")["url"]

    phone.goto(portal + "?tab=payments")
    today = date.today()
    phone.get_by_label("From", exact=True).fill((today - timedelta(days=30)).isoformat())
    phone.get_by_label("To", exact=True).fill(today.isoformat())
    with phone.expect_download(timeout=15_000) as download:
        phone.get_by_role("button", name="Download statement (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:]
    assert download.value.suggested_filename.endswith(".pdf")
    screenshot(phone, "forms-statement-downloaded")
    assert violations == []
