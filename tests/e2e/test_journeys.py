"""The five journeys, in order, on one `make dev` stack: staff in the dashboard (1, 5), clients
on a phone-sized screen (2-4). Each saves a screenshot of its final state under build/e2e/."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from chalicelib.domain.money import format_amount
from tests.e2e.conftest import Staff, outbox_link, screenshot, sign_in

pytestmark = pytest.mark.slow
UPLOADED = b"Wedding photos, full resolution.\n" * 2000  # ~66 KB: the progress bar moves




def test_1_staff_creates_a_client_and_an_invoice_uploads_a_gated_file_and_shares_it(
        desktop: Any, phone: Any, stack: dict[str, Any], staff: Staff, tmp_path: Any) -> None:
    page = desktop
    sign_in(page, stack)
    page.get_by_test_id("nav-clients").click()
    page.get_by_test_id("client-name").fill("Journey Weddings")
    page.get_by_test_id("contact-name").fill("Jo Journey")
    page.get_by_test_id("contact-email").fill("jo@journey.test")
    page.get_by_test_id("client-save").click()
    expect(page.get_by_test_id("toast")).to_be_visible()

    expect(page).to_have_url(re.compile(r"#/clients/[0-9a-f]+$"))  # the new client's page
    page.get_by_test_id("nav-invoices").click()
    page.get_by_test_id("invoice-new").click()
    page.get_by_test_id("invoice-client").select_option(label="Journey Weddings")
    page.get_by_test_id("line-description").first.fill("Photo package")
    page.get_by_test_id("line-price").first.fill("120.00")
    expect(page.get_by_test_id("invoice-total")).to_contain_text("120.00")
    page.get_by_test_id("invoice-save").click()
    expect(page).to_have_url(re.compile(r"#/invoices/[0-9a-f]+$"))
    page.get_by_test_id("invoice-send").click()
    expect(page.get_by_test_id("invoice-share")).to_be_enabled()
    page.get_by_test_id("invoice-share").click()
    share_url = page.get_by_test_id("share-url").inner_text().strip()
    assert "/invoice/" in share_url
    made = next(i for i in staff.call("GET", "/invoices")["items"] if i["bill_to"]["name"] == "Journey Weddings")

    page.get_by_test_id("nav-resources").click()
    upload = tmp_path / "photos.txt"
    upload.write_bytes(UPLOADED)
    page.get_by_test_id("upload-input").set_input_files(str(upload))
    expect(page.get_by_test_id("upload-progress").first).to_have_attribute("value", "100")
    expect(page.get_by_test_id("upload-done").first).to_be_visible()
    page.get_by_role("link", name="Attach it").first.click()
    page.get_by_test_id("attach-target-type").select_option("invoice")
    # The picker names each invoice by number, client and amount (issue 17).
    picker = page.get_by_test_id("attach-target-id")
    expect(picker.locator(f"option[value='{made['id']}']")).to_contain_text(f"{made['number']} · Journey Weddings · ")
    picker.select_option(value=made["id"])
    page.get_by_test_id("attach-policy").select_option("after_payment")
    page.get_by_test_id("attach-save").click()
    expect(page.get_by_test_id("toast")).to_contain_text("Attached")
    screenshot(page, "1-staff-attached-gated-file")

    phone.goto(share_url)
    expect(phone.get_by_test_id("resource-status")).to_have_text("Available after payment")
    expect(phone.get_by_text("photos.txt")).to_be_visible()




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
    expect(phone.get_by_test_id("resource-status")).to_have_text("Available after payment")
    phone.get_by_test_id("pay").click()
    expect(phone.get_by_test_id("test-mode")).to_be_visible()
    phone.get_by_test_id("offline-pay").click()
    phone.wait_for_url("**payment=success")
    expect(phone.get_by_test_id("payment-notice")).to_be_visible()
    # The page reloads itself until the payment is recorded (a reload from here could race it).
    file_link = phone.get_by_role("link", name="Download", exact=True).first  # not the PDF's
    expect(file_link).to_be_visible(timeout=40_000)
    with phone.expect_download() as download:
        file_link.click()
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
    expect(phone.get_by_text("€1,500.00").first).to_be_visible()
    phone.get_by_test_id("pay").click()
    phone.get_by_test_id("offline-pay").click()
    phone.wait_for_url("**payment=success")
    expect(phone.get_by_text("this invoice is paid")).to_be_visible(timeout=40_000)  # it reloads itself
    screenshot(phone, "4-quote-approved-invoice-paid")
    invoices = staff.call("GET", "/invoices")["items"]
    [made] = [i for i in invoices if i.get("quote_id") == quote["id"]]
    assert made["status"] == "paid"


def test_5_staff_sees_views_payments_and_the_access_log(desktop: Any, stack: dict[str, Any], staff: Staff) -> None:
    """After journeys 1-4 on the same stack: the paid course invoice was viewed, paid and its file downloaded."""
    paid = [i for i in staff.call("GET", "/invoices")["items"] if i["status"] == "paid"]
    assert paid, "journeys 2 and 4 pay invoices first (same module stack)"
    page = desktop
    sign_in(page, stack)
    page.get_by_test_id("nav-invoices").click()
    row = page.get_by_test_id("invoice-row").filter(has_text=paid[0]["number"])
    expect(row.get_by_test_id("view-count")).not_to_have_text(re.compile(r"^\s*0\s*$"))
    page.get_by_test_id("nav-payments").click()
    expect(page.get_by_test_id("payment-row").first).to_be_visible()
    assert page.get_by_test_id("payment-row").count() >= 2
    page.get_by_test_id("nav-resources").click()
    page.get_by_role("link", name="Course workbook").first.click()
    expect(page.get_by_test_id("access-log-row").first).to_be_visible()
    expect(page.get_by_test_id("access-log-row").filter(has_text="download").first).to_be_visible()
    # The CSV export runs in the background (the stack's pump runs the exports worker): the
    # line beside the button follows it to the end and offers the file.
    page.get_by_test_id("access-log-csv").click()
    expect(page.get_by_test_id("access-log-export-status")).to_have_text(re.compile(r"Export ready: [\d,]+ rows\."),
                                                                         timeout=30_000)
    expect(page.get_by_test_id("access-log-export-link")).to_be_visible()
    screenshot(page, "5-staff-access-log")


def test_the_dashboard_works_at_360px_by_keyboard_with_every_field_labelled(browser: Any, stack: dict[str, Any]) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(stack["dashboard_url"])
    page.keyboard.press("Tab")  # the skip link, then the form: all reachable without a mouse
    page.get_by_test_id("login-email").focus()
    page.keyboard.type(stack["staff_email"])
    page.keyboard.press("Tab")
    page.keyboard.type(stack["staff_password"])
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("nav-invoices")).to_be_visible()
    unlabelled_js = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(e => e.offsetParent !== null && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
        .map(e => e.name || e.id || e.outerHTML.slice(0, 60))"""
    for screen in ("invoices", "clients", "resources", "payments", "settings"):
        page.get_by_test_id(f"nav-{screen}").click()
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, screen
        assert page.evaluate(unlabelled_js) == [], screen
    screenshot(page, "dashboard-360px-settings")
    context.close()


def test_the_dashboard_checks_the_server_s_limits_before_sending_and_shows_a_file_type_mismatch(
        desktop: Any, stack: dict[str, Any], staff: Staff) -> None:
    page = desktop
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" and r.url.endswith("/api/v1/products") else None)
    sign_in(page, stack)
    currency = staff.call("GET", "/business")["currency"]
    page.get_by_test_id("nav-products").click()
    page.get_by_test_id("product-name").fill("Too dear")
    page.get_by_test_id("product-price").fill("99999999999.00")
    page.get_by_test_id("product-save").click()
    # The dashboard words it as the server does (Babel's en_GB: "€10,000,000,000.00").
    expect(page.get_by_test_id("toast")).to_contain_text("Unit price must be at most " + format_amount(10**12, currency))
    expect(page.locator("[name=unit_price]")).to_have_attribute("aria-invalid", "true")
    assert sent == []  # refused in the browser: nothing was sent
    assert not [p for p in staff.call("GET", "/products")["items"] if p["name"] == "Too dear"]

    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    made = staff.call("POST", "/resources", {"kind": "file", "title": "Holiday photo", "file": {
        "filename": "photo.jpg", "size": len(program), "content_type": "image/jpeg"}})
    plan = made["upload"]
    requests.post(plan["url"], data=plan["fields"], files={"file": ("photo.jpg", program, "image/jpeg")}, timeout=20)
    rid = made["resource"]["resource_id"]
    staff.call("POST", f"/resources/{rid}/upload/confirm")
    page.get_by_test_id("nav-resources").click()
    card = page.get_by_test_id("resource-row").filter(has_text="Holiday photo")
    expect(card.get_by_test_id("type-warning")).to_have_text("type mismatch")
    card.get_by_role("link", name="Holiday photo").click()
    expect(page.get_by_test_id("type-warning")).to_contain_text("Windows program")
    screenshot(page, "dashboard-type-mismatch")
