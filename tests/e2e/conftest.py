"""Browser journeys: Playwright driving Debian's Chromium against the stack `make dev` starts.

The stack runs as a subprocess (`tests/dev_stack.py`); staff setup goes through the same
staff API the dashboard uses; each journey saves a screenshot of its final state under
`build/e2e/`.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.dev_stack import ROOT, running_dev_stack

SHOTS = ROOT / "build" / "e2e"
CHROMIUM = "/usr/bin/chromium"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/156.0 Mobile Safari/537.36"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with running_dev_stack(tmp_path_factory.mktemp("dev")) as links:
        yield links


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A fresh phone-sized browser (its own cookies), downloads allowed."""
    context = browser.new_context(**PHONE, accept_downloads=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    yield context.new_page()
    context.close()


def screenshot(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class Staff:
    """The staff API of the running stack, signed in as the demo owner."""

    def __init__(self, stack: dict[str, Any]) -> None:
        self.base = str(stack["base_url"])
        reply = requests.post(f"{self.base}/api/v1/auth/login", timeout=10,
                              json={"email": stack["staff_email"], "password": stack["staff_password"]})
        reply.raise_for_status()
        self.headers = {"Authorization": f"Bearer {reply.json()['id_token']}"}

    def call(self, method: str, path: str, body: Any = None) -> Any:
        reply = requests.request(method, f"{self.base}/api/v1{path}", json=body, headers=self.headers, timeout=20)
        assert reply.status_code < 300, (path, reply.status_code, reply.text)
        return reply.json()

    def client(self, name: str, email: str) -> tuple[str, str]:
        made = self.call("POST", "/clients", {"name": name, "contacts": [{"name": name, "email": email, "is_primary": True}]})
        return str(made["client_id"]), str(made["contacts"][0]["contact_id"])

    def file(self, title: str, name: str, content: bytes) -> str:
        made = self.call("POST", "/resources", {"kind": "file", "title": title, "file": {
            "filename": name, "size": len(content), "content_type": "text/plain"}})
        plan = made["upload"]
        requests.post(plan["url"], data=plan["fields"], files={"file": (name, content, "text/plain")}, timeout=20)
        rid = made["resource"]["resource_id"]
        self.call("POST", f"/resources/{rid}/upload/confirm")
        return str(rid)


@pytest.fixture(scope="module")
def staff(stack: dict[str, Any]) -> Staff:
    staff = Staff(stack)
    staff.call("PATCH", "/business", {"stripe_enabled": True})
    return staff


def outbox_link(stack: dict[str, Any], address: str, part: str, within: float = 15) -> str:
    """The latest link containing `part` in mail to `address` (the mail worker runs in the pump)."""
    deadline = time.monotonic() + within
    while True:
        messages = requests.get(f"{stack['outbox_url']}/messages.json", timeout=10).json()
        links = [u for m in messages if address in m["to"] for u in m["links"] if part in u]
        if links or time.monotonic() > deadline:
            assert links, f"no mail to {address} with {part}"
            return str(links[0])  # newest first
        time.sleep(0.3)


def reload_until(page: Any, shown: Any, within: float = 20) -> None:
    """Reload until the locator `shown(page)` matches something (the payments worker applies
    Stripe's event asynchronously; the page shows the confirmed state, it never guesses)."""
    deadline = time.monotonic() + within
    while shown(page).count() == 0:
        assert time.monotonic() < deadline, "the page never showed the expected state"
        time.sleep(0.5)
        page.reload()


def sign_in(page: Any, stack: dict[str, Any]) -> None:
    page.goto(stack["dashboard_url"])
    page.get_by_test_id("login-email").fill(stack["staff_email"])
    page.get_by_test_id("login-password").fill(stack["staff_password"])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-invoices")).to_be_visible()
