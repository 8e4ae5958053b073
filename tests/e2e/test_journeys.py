"""The client journeys, in a real browser on a phone-sized screen."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Staff, outbox_link, reload_until, screenshot

pytestmark = pytest.mark.slow


def test_2_client_pays_on_a_phone_and_the_file_unlocks_without_staff(phone: Any, staff: Staff) -> None:
    content = b"Course workbook, chapter 1.\n" * 50
    client_id, _ = staff.client("Phone Client", "phone@client.test")
    invoice = staff.call("POST", "/invoices", {"client_id": client_id,
                                               "lines": [{"description": "Online course", "unit_price": 4900}]})
    rid = staff.file("Course workbook", "workbook.txt", content)
    staff.call("POST", f"/invoices/{invoice['id']}/resources", {"resource_id": rid, "policy": "after_payment"})
    staff.call("POST", f"/invoices/{invoice['id']}/send")
    url = staff.call("POST", f"/invoices/{invoice['id']}/share")["url"]

    phone.goto(url)
    expect(phone.get_by_test_id("resource-status")).to_have_text("available after payment")
    phone.get_by_test_id("pay").click()
    expect(phone.get_by_test_id("test-mode")).to_be_visible()
    phone.get_by_test_id("offline-pay").click()
    phone.wait_for_url("**payment=success")
    expect(phone.get_by_test_id("payment-notice")).to_be_visible()
    file_link = lambda page: page.get_by_role("link", name="Download", exact=True)  # noqa: E731 (not the PDF's)
    reload_until(phone, file_link)
    with phone.expect_download() as download:
        file_link(phone).click()
    assert Path(download.value.path()).read_bytes() == content
    assert download.value.suggested_filename == "workbook.txt"
    screenshot(phone, "2-client-paid-and-downloaded")


def test_3_a_claim_link_is_claimed_once(browser: Any, phone: Any, staff: Staff, stack: dict[str, Any]) -> None:
    client_id, _ = staff.client("Claim Co", "owner@claim.test")
    rid = staff.file("Font licence", "licence.txt", b"Licence key: E2E-1234\n")
    made = staff.call("POST", f"/resources/{rid}/attachments",
                      {"target_type": "client", "target_id": client_id, "policy": "claim_link"})
    claim_url = made["attachment"]["claim_url"]

    phone.goto(claim_url)
    phone.get_by_label("Email address").fill("claimer@buyer.test")
    phone.get_by_role("button", name="Claim with my email").click()
    expect(phone.get_by_test_id("check-email")).to_be_visible()
    phone.goto(outbox_link(stack, "claimer@buyer.test", "/signin/confirm/"))
    phone.get_by_role("button", name="Claim it").click()
    phone.wait_for_url("**/files?claimed=1")
    expect(phone.get_by_test_id("claimed")).to_be_visible()
    expect(phone.get_by_text("Font licence")).to_be_visible()
    screenshot(phone, "3-claimed-in-files")

    second = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    second.goto(claim_url)
    expect(second.get_by_test_id("already-claimed")).to_be_visible()
    assert "Font licence" not in second.content()
    screenshot(second, "3-second-browser-already-claimed")
    second.context.close()


def test_4_a_quote_is_approved_in_the_portal_becomes_an_invoice_and_is_paid(phone: Any, staff: Staff) -> None:
    client_id, contact_id = staff.client("Quote Co", "buyer@quote.test")
    quote = staff.call("POST", "/quotes", {"client_id": client_id,
                                           "lines": [{"description": "Website redesign", "unit_price": 150000}]})
    staff.call("POST", f"/quotes/{quote['id']}/send")
    portal = staff.call("POST", f"/clients/{client_id}/contacts/{contact_id}/portal")["url"]

    phone.goto(portal)
    phone.get_by_role("link", name="Quotes").click()
    phone.get_by_role("link", name=quote["number"]).click()
    phone.get_by_label("Your name (optional)").fill("Bea Buyer")
    phone.get_by_test_id("approve").click()
    expect(phone).to_have_url(re.compile(r"/invoices/[0-9a-f]+$"))
    expect(phone.get_by_text("1,500.00 EUR").first).to_be_visible()
    phone.get_by_test_id("pay").click()
    phone.get_by_test_id("offline-pay").click()
    phone.wait_for_url("**payment=success")
    reload_until(phone, lambda page: page.get_by_text("this invoice is paid"))
    screenshot(phone, "4-quote-approved-invoice-paid")
    invoices = staff.call("GET", "/invoices")["items"]
    [made] = [i for i in invoices if i.get("quote_id") == quote["id"]]
    assert made["status"] == "paid"
