"""A buy link in a real browser on a phone-sized screen, against the `make dev` stack: a stranger
opens the demo's `buy_url`, buys in the offline checkout, finds the receipt in the outbox, signs
in with its one-time link and downloads the file; then buys again with the same address, and the
second sale lands in the same client. Screenshots under build/e2e/."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Staff, outbox_link, screenshot, sign_in

pytestmark = pytest.mark.slow

BUYER = "phone.buyer@shop.test"


def _buy(phone: Any, stack: dict[str, Any], shot: str) -> None:
    phone.goto(stack["buy_url"])
    expect(phone.get_by_test_id("buy-title")).to_have_text("Brand design package")
    expect(phone.get_by_test_id("buy-gets")).to_contain_text("Brand guidelines")
    phone.get_by_label("Your name (optional)").fill("Pat Buyer")
    phone.get_by_label("Email address (for the receipt and your files)").fill(BUYER)
    screenshot(phone, f"{shot}-page")
    phone.get_by_test_id("buy").click()
    expect(phone.get_by_test_id("test-mode")).to_be_visible()
    phone.get_by_test_id("offline-pay").click()
    phone.wait_for_url("**payment=success")
    expect(phone.get_by_test_id("buy-notice")).to_contain_text("Thank you")


def _invoices_of(staff: Staff, client_id: str) -> list[dict[str, Any]]:
    return [i for i in staff.call("GET", "/invoices?limit=100")["items"] if i["client_id"] == client_id]


def test_a_stranger_buys_on_a_phone_signs_in_and_downloads(phone: Any, staff: Staff, stack: dict[str, Any]) -> None:
    assert stack["buy_url"], ".dev/demo.json has no buy_url"
    _buy(phone, stack, "buy-1")
    screenshot(phone, "buy-2-paid")

    phone.goto(outbox_link(stack, BUYER, "/signin/confirm/", within=40))
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_url("**/files")
    expect(phone.get_by_test_id("files")).to_contain_text("Brand guidelines")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download", exact=True).first.click()
    assert b"Northwind brand guidelines" in Path(download.value.path()).read_bytes()
    screenshot(phone, "buy-3-signed-in-files")

    [client] = [c for c in staff.call("GET", "/clients?limit=100")["items"] if c["email"] == BUYER]
    [first] = _invoices_of(staff, client["client_id"])
    assert first["status"] == "paid"

    # The same address again (a new browser session or not): the same client, a second invoice.
    _buy(phone, stack, "buy-4-again")
    outbox_link(stack, BUYER, "/signin/confirm/", within=40)
    deadline_invoices: list[dict[str, Any]] = []
    for _ in range(60):
        deadline_invoices = _invoices_of(staff, client["client_id"])
        if len(deadline_invoices) == 2 and {i["status"] for i in deadline_invoices} == {"paid"}:
            break  # recorded as sent, then paid by the payment a moment later in the same worker run
        phone.wait_for_timeout(500)
    assert len(deadline_invoices) == 2 and {i["status"] for i in deadline_invoices} == {"paid"}
    assert [c["client_id"] for c in staff.call("GET", "/clients?limit=100")["items"] if c["email"] == BUYER] \
        == [client["client_id"]]
    screenshot(phone, "buy-5-second-purchase")


def test_staff_create_and_pause_a_buy_link_in_the_dashboard(desktop: Any, staff: Staff, stack: dict[str, Any]) -> None:
    sign_in(desktop, stack)
    desktop.get_by_test_id("nav-buy-links").click()
    expect(desktop.get_by_test_id("buy-link-row").filter(has_text="Brand design package")).to_have_count(1)  # the demo's
    desktop.get_by_test_id("buy-link-title").fill("Consulting, three hours")
    desktop.get_by_label("Consulting hour", exact=False).check()
    desktop.get_by_test_id("buy-link-stock").fill("3")
    desktop.get_by_test_id("buy-link-save").click()
    row = desktop.get_by_test_id("buy-link-row").filter(has_text="Consulting, three hours")
    expect(row).to_contain_text(re.compile("open", re.I))
    row.get_by_test_id("buy-link-pause").click()
    paused = desktop.get_by_test_id("buy-link-row").filter(has_text="Consulting, three hours")
    expect(paused).to_contain_text(re.compile("paused", re.I))
    screenshot(desktop, "buy-6-dashboard")
    made = [x for x in staff.call("GET", "/buy-links")["items"] if x["title"] == "Consulting, three hours"]
    assert [(x["stock"], x["paused"]) for x in made] == [(3, True)]
