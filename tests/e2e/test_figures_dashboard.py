"""The dashboard's figures and colours in a real browser: the editor's live preview follows the
server's rule (amount before discount and tax, discounts, tax per rate), the saved invoice shows
the server's rows, and the branding preview puts dark text on a light brand colour."""
from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.slow


def test_the_editor_preview_and_the_saved_invoice_print_the_same_rows(desktop: Any, stack: dict[str, Any]) -> None:
    page = desktop
    sign_in(page, stack)
    page.get_by_test_id("nav-invoices").click()
    page.get_by_test_id("invoice-new").click()
    page.get_by_test_id("invoice-client").select_option(label="Acme Robotics GmbH")
    page.get_by_test_id("line-description").first.fill("Design")
    page.get_by_test_id("line-quantity").first.fill("3")
    page.get_by_test_id("line-price").first.fill("125.00")
    page.get_by_test_id("line-tax").first.fill("20")
    page.get_by_test_id("line-discount").first.fill("10")
    # 3 × 125.00 = 375.00 before discount and tax; − 37.50; 20 % of 337.50 = 67.50; total 405.00
    expect(page.get_by_test_id("line-amount").first).to_have_text(re.compile(r"^€375\.00"))
    preview = page.locator(".editor .totals")
    for text in ("Subtotal", "€375.00", "Discounts", "−€37.50", "Tax 20 %", "€67.50"):
        expect(preview).to_contain_text(text)
    expect(page.get_by_test_id("invoice-total")).to_contain_text("405.00")
    page.get_by_test_id("invoice-save").click()
    expect(page).to_have_url(re.compile(r"#/invoices/[0-9a-f]+$"))
    page.get_by_test_id("invoice-send").click()  # a sent invoice is shown, no longer edited
    expect(page.get_by_test_id("invoice-balance")).to_be_visible()
    saved = page.locator(".totals").first  # the server's rows
    for text in ("Subtotal", "€375.00", "Discounts", "−€37.50", "Tax 20 %", "€67.50", "Balance due"):
        expect(saved).to_contain_text(text)
    expect(page.get_by_test_id("invoice-total")).to_contain_text("405.00")
    expect(page.get_by_test_id("invoice-balance")).to_contain_text("405.00")
    expect(page.locator("td", has_text="€375.00").first).to_be_visible()  # the line's amount, not 405.00
    screenshot(page, "figures-saved-invoice")


def test_the_branding_preview_puts_dark_text_on_a_light_brand(desktop: Any, stack: dict[str, Any]) -> None:
    page = desktop
    sign_in(page, stack)
    page.get_by_test_id("nav-settings").click()
    page.get_by_test_id("settings-brand-color").fill("#ffd54f")
    button = page.locator(".preview-button")
    expect(button).to_have_css("background-color", "rgb(255, 213, 79)")
    expect(button).to_have_css("color", "rgb(27, 31, 36)")  # #1b1f24, 11.7:1 (white was 1.4:1)
    page.get_by_test_id("settings-brand-color").fill("#1f4b99")
    expect(button).to_have_css("color", "rgb(255, 255, 255)")
    screenshot(page, "figures-branding-preview")
