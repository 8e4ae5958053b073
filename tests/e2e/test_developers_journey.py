"""Developers in the browser, on a `make dev` stack: the seeded webhook endpoint (the outbox's
receiver) has received the seed's events, signed; staff see each delivery with its response,
resend one (the outbox marks it a duplicate by event id), make an API key that works at once
and is refused once revoked. Screenshots under build/e2e/."""
from __future__ import annotations

import re
import time
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.slow


def received(stack: dict[str, Any], within: float = 20) -> list[dict[str, Any]]:
    deadline = time.monotonic() + within
    while not (items := requests.get(f"{stack['webhook_inbox_url']}.json", timeout=10).json()):
        assert time.monotonic() < deadline, "the outbox received no webhook"
        time.sleep(0.5)
    return items  # type: ignore[no-any-return]


def test_staff_see_deliveries_resend_one_and_use_an_api_key(desktop: Any, stack: dict[str, Any]) -> None:
    first = received(stack)
    assert all(r["verified"] for r in first) and "invoice.sent" in {r["type"] for r in first}
    page = desktop
    sign_in(page, stack)
    page.get_by_test_id("nav-developers").click()
    expect(page.get_by_test_id("endpoint-row")).to_contain_text("/webhooks")
    page.get_by_test_id("show-deliveries").click()
    done = page.get_by_test_id("delivery-row").filter(has_text="succeeded")  # the pump delivers as it goes
    expect(done.first).to_contain_text("200")
    screenshot(page, "developers-1-deliveries")
    done.first.get_by_test_id("resend").click()
    deadline = time.monotonic() + 20
    while not any(r["duplicate"] for r in received(stack)):
        assert time.monotonic() < deadline, "the resent delivery never arrived"
        time.sleep(0.5)

    page.get_by_test_id("key-name").fill("Accounting sync")
    page.get_by_test_id("key-role").select_option("viewer")
    page.get_by_test_id("key-save").click()
    key = page.get_by_test_id("api-key").locator("code").inner_text()
    assert key.startswith("pd_live_")
    screenshot(page, "developers-2-api-key")
    api = f"{stack['base_url']}/api/v1/clients"
    assert requests.get(api, headers={"Authorization": f"Bearer {key}"}, timeout=10).status_code == 200
    page.get_by_test_id("key-row").get_by_role("button", name="Revoke").click()
    page.get_by_test_id("key-row").get_by_role("button", name="Confirm revoke").click()
    expect(page.get_by_test_id("key-row")).to_contain_text(re.compile("revoked", re.I))
    assert requests.get(api, headers={"Authorization": f"Bearer {key}"}, timeout=10).status_code == 401

    page.goto(stack["webhook_inbox_url"])
    expect(page.get_by_role("heading", level=1)).to_contain_text("Webhooks received")
    screenshot(page, "developers-3-outbox-webhooks")
