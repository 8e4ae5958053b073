"""A client on a phone, in Ada's portal of the demo (`make dev`): sees the seeded saved card, adds a
card through the offline checkout's setup mode, pays 50.00 in advance, and uses that credit on
an invoice. Screenshots of each step under build/e2e/."""
from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import reload_until, screenshot

pytestmark = pytest.mark.slow


def test_a_client_adds_a_card_pre_pays_and_sees_the_credit_applied(phone: Any, stack: dict[str, Any]) -> None:
    portal = stack["portal_url"]
    phone.goto(f"{portal}?tab=payment-methods")
    # The seed saved Visa 4242 through the offline setup checkout; the pump applies its event.
    reload_until(phone, lambda p: p.get_by_test_id("default-card"))
    expect(phone.get_by_text("ending 4242")).to_be_visible()

    phone.get_by_test_id("add-card").click()
    expect(phone.get_by_test_id("test-mode")).to_be_visible()  # the offline checkout, on its own origin
    phone.get_by_label(re.compile("0341")).check()
    phone.get_by_test_id("offline-save").click()
    phone.wait_for_url("**setup=success")
    reload_until(phone, lambda p: p.get_by_text("ending 0341"))
    expect(phone.get_by_test_id("default-card")).to_have_count(1)  # the first card stays the default
    screenshot(phone, "cards-1-two-saved-cards")

    phone.get_by_role("link", name="Pre-payment").click()
    phone.get_by_label("Amount (EUR)").fill("50.00")
    phone.get_by_test_id("prepay").click()
    expect(phone.get_by_text("Pay €50.00 in advance")).to_be_visible()
    phone.get_by_test_id("offline-save").click()
    phone.wait_for_url("**prepayment=success")
    reload_until(phone, lambda p: p.get_by_test_id("prepayments").get_by_text("credited"))
    screenshot(phone, "cards-2-pre-paid")

    phone.get_by_role("link", name="Invoices").click()
    expect(phone.get_by_test_id("credit")).to_contain_text("€50.00")
    phone.get_by_test_id("use-credit").first.click()
    expect(phone).to_have_url(re.compile(r"/invoices/[0-9a-f]+$"))
    expect(phone.get_by_text(re.compile("Credit of €50.00|€50.00.*credit", re.I)).first).to_be_visible()
    screenshot(phone, "cards-3-credit-applied")
    phone.get_by_role("link", name=re.compile("back|all", re.I)).first.click()
    expect(phone.get_by_test_id("credit")).to_have_text("None")  # all of it is used
