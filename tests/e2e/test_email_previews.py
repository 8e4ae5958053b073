"""The dashboard's Emails screen in a real browser: each kind of email drawn in a sandboxed
frame with the business's colours (the inline styles reach it despite the dashboard's CSP),
the text part beside it; screenshots at phone and laptop widths."""
from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from chalicelib.domain.colours import palette
from tests.e2e.conftest import Staff, screenshot, sign_in

pytestmark = pytest.mark.slow


def rgb(colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(colour[i:i + 2], 16) for i in (1, 3, 5)))


def test_staff_preview_the_invoice_and_reminder_emails(browser: Any, stack: dict[str, Any]) -> None:
    business = Staff(stack).call("GET", "/business")
    colours = palette(business["brand_color"], business["accent_color"])
    for name, viewport in (("1366", {"width": 1366, "height": 900}), ("390", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        sign_in(page, stack)
        page.goto(f"{stack['dashboard_url']}#/emails")
        expect(page.get_by_test_id("email-subject")).to_have_text(re.compile(r"^Invoice INV-0042 from "))
        frame = page.frame_locator("[data-testid=email-html]")
        button = frame.get_by_role("link", name="View invoice")
        expect(button).to_be_visible()
        # The brand fill behind white text: the style attributes were applied (CSSOM), not dropped by the CSP.
        expect(button).to_have_css("color", rgb(colours.on_fill))
        expect(button).to_have_css("border-top-color", rgb(colours.fill))
        text = page.get_by_test_id("email-text")
        expect(text).to_contain_text("View it, pay it and get any files that come with it:")
        expect(text).to_contain_text(re.compile(r"€977\.85|977,85"))
        screenshot(page, f"email-preview-invoice-{name}")

        page.get_by_role("link", name="Payment reminder").click()
        expect(page.get_by_test_id("email-subject")).to_have_text(re.compile(r"^Reminder: invoice INV-0042 from "))
        expect(page.frame_locator("[data-testid=email-html]").get_by_role("link", name="Pay", exact=True)).to_be_visible()
        screenshot(page, f"email-preview-reminder-{name}")
        context.close()


def test_the_settings_locale_changes_how_the_emails_write_money_and_dates(desktop: Any, stack: dict[str, Any]) -> None:
    page = desktop
    sign_in(page, stack)
    page.get_by_test_id("nav-settings").click()
    page.get_by_test_id("settings-locale").select_option("de_DE")
    page.get_by_test_id("settings-save").click()
    expect(page.get_by_test_id("toast")).to_contain_text("Settings saved.")
    try:
        page.get_by_role("link", name="Preview your emails").click()
        expect(page.get_by_test_id("email-text")).to_contain_text("977,85\xa0€")
        expect(page.frame_locator("[data-testid=email-html]").get_by_text("977,85\xa0€", exact=True).first).to_be_visible()
        screenshot(page, "email-preview-invoice-de")
    finally:
        Staff(stack).call("PATCH", "/business", {"locale": "en_GB"})


def test_a_client_can_get_its_emails_in_its_own_locale(desktop: Any, stack: dict[str, Any]) -> None:
    staff = Staff(stack)
    client_id, _ = staff.client("Hamburg Hafen GmbH", "einkauf@hafen.test")
    page = desktop
    sign_in(page, stack)
    page.goto(f"{stack['dashboard_url']}#/clients/{client_id}")
    page.get_by_text("Edit client").click()
    expect(page.get_by_test_id("client-locale")).to_have_value("")  # the business's, until chosen
    page.get_by_test_id("client-locale").select_option("de_DE")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("toast")).to_contain_text("Client saved.")
    assert staff.call("GET", f"/clients/{client_id}")["locale"] == "de_DE"
