"""Self-service in a real browser on a phone-sized screen, against the `make dev` stack: a contact
edits their details, changes their address through the emailed link (the old portal link then
stops working), opens a payment's receipt and its PDF, and emails themself this year's statement;
a stranger registers on the business's registration page. Screenshots under build/e2e/."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import Staff, outbox_link, screenshot

pytestmark = pytest.mark.slow


def test_a_contact_serves_themself_in_the_portal(phone: Any, staff: Staff, stack: dict[str, Any]) -> None:
    client_id, contact_id = staff.client("Self Co", "self@client.test")
    invoice = staff.call("POST", "/invoices", {"client_id": client_id, "lines": [{"description": "Audit", "unit_price": 30000}]})
    staff.call("POST", f"/invoices/{invoice['id']}/send")
    staff.call("POST", f"/invoices/{invoice['id']}/payments", {"amount": 10000, "method": "bank_transfer"})
    portal_url = staff.call("POST", f"/clients/{client_id}/contacts/{contact_id}/portal")["url"]

    phone.goto(f"{portal_url}?tab=account")
    phone.get_by_label("Name").fill("Sam Self")
    phone.get_by_label("Phone").fill("+44 20 7946 0958")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_test_id("saved")).to_be_visible()
    expect(phone.get_by_label("Phone")).to_have_value("+44 20 7946 0958")
    screenshot(phone, "selfserve-1-details-saved")

    phone.goto(f"{portal_url}?tab=payments")
    expect(phone.get_by_label("From", exact=True)).to_have_value(f"{date.today().year}-01-01")  # this year so far
    expect(phone.get_by_label("To", exact=True)).to_have_value(date.today().isoformat())
    phone.get_by_test_id("receipt-link").first.click()
    expect(phone.get_by_test_id("receipt")).to_be_visible()
    expect(phone.get_by_test_id("amount")).to_have_text("€100.00")
    screenshot(phone, "selfserve-2-receipt")
    with phone.expect_download() as download:
        phone.get_by_test_id("receipt-pdf").click()
    assert download.value.suggested_filename.startswith("receipt-")

    phone.goto(f"{portal_url}?tab=payments")
    phone.get_by_test_id("email-statement").click()
    expect(phone.get_by_test_id("message")).to_contain_text("self@client.test")
    assert outbox_link(stack, "self@client.test", "/statement/")

    phone.goto(f"{portal_url}?tab=account")
    phone.get_by_label("New address").fill("sam@new-home.test")
    phone.get_by_role("button", name="Send a confirmation link").click()
    expect(phone.get_by_role("heading", name="Check your new inbox")).to_be_visible()
    phone.goto(outbox_link(stack, "sam@new-home.test", "/email-change/"))
    phone.get_by_test_id("confirm").click()
    phone.wait_for_url("**/portal/me?tab=account&notice=email")
    expect(phone.get_by_test_id("current-email")).to_have_text("sam@new-home.test")
    screenshot(phone, "selfserve-3-address-changed")
    assert requests.get(portal_url, timeout=10).status_code == 404  # the old link ended


def test_a_stranger_registers_as_a_new_client(phone: Any, staff: Staff, stack: dict[str, Any]) -> None:
    phone.goto(stack["register_url"])
    phone.get_by_label("Your name").fill("Robin New")
    phone.get_by_label("Company (optional)").fill("New Co")
    phone.get_by_label("Email address").fill("robin@newco.test")
    phone.get_by_role("button", name="Register").click()
    expect(phone.get_by_role("heading", name="Check your email")).to_be_visible()
    phone.goto(outbox_link(stack, "robin@newco.test", "/welcome/"))
    phone.get_by_test_id("confirm").click()
    phone.wait_for_url("**/portal/me")
    phone.goto(f"{stack['base_url']}/portal/me?tab=account")
    expect(phone.get_by_test_id("current-email")).to_have_text("robin@newco.test")
    screenshot(phone, "selfserve-4-registered")
    assert [c for c in staff.call("GET", "/clients?limit=100")["items"] if c["name"] == "New Co"]
