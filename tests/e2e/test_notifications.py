"""Notifications in the browser on the seeded `make dev` stack: the team's bell and list in the
dashboard, a contact's list on a phone, and the digest emails in the outbox."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.dev_stack import ROOT, running_dev_stack
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """This module's own stack (its seeded notifications untouched by other journeys), and where its
    `.dev` folder is, for `make tick DIGESTS=now`."""
    dev_dir = tmp_path_factory.mktemp("dev")
    with running_dev_stack(dev_dir) as links:
        yield {**links, "dev_dir": str(dev_dir)}


def _staff_headers(stack: dict[str, Any]) -> dict[str, str]:
    login = requests.post(f"{stack['base_url']}/api/v1/auth/login", timeout=10,
                          json={"email": stack["staff_email"], "password": stack["staff_password"]})
    return {"Authorization": f"Bearer {login.json()['id_token']}"}


def test_staff_see_the_unread_count_in_the_header_and_mark_the_list_read(desktop: Any, stack: dict[str, Any]) -> None:
    page = desktop
    sign_in(page, stack)
    unread = requests.get(f"{stack['base_url']}/api/v1/notifications?limit=1", timeout=10,
                          headers=_staff_headers(stack)).json()["unread"]
    assert unread >= 1
    expect(page.get_by_test_id("bell-count")).to_have_text(str(unread))
    page.get_by_test_id("bell").click()
    row = page.get_by_test_id("notification").filter(has_text="Invoice sent to Acme Robotics GmbH")
    expect(row).to_be_visible()
    page.get_by_test_id("mark-all-read").click()
    expect(page.get_by_test_id("bell-count")).to_be_hidden()
    expect(page.get_by_test_id("mark-read")).to_have_count(0)
    expect(row).to_be_visible()  # still signed in, the list shown again with every item read
    expect(page.get_by_test_id("bell")).to_be_visible()
    screenshot(page, "notifications-staff-list")


def test_a_contact_reads_its_notifications_on_a_phone_and_gets_one_digest(
        phone: Any, stack: dict[str, Any]) -> None:
    listed = requests.get(stack["portal_notifications_url"], headers={"Accept": "application/json"}, timeout=10).json()
    count = len(listed["items"])
    assert count >= 2 and listed["unread"] == count
    phone.goto(stack["portal_url"])
    phone.get_by_test_id("notifications-link").click()
    expect(phone.get_by_test_id("unread")).to_have_text(f"{count} unread")
    expect(phone.get_by_test_id("notification")).to_have_count(count)
    phone.get_by_test_id("mark-all-read").click()
    expect(phone.get_by_test_id("unread")).to_have_count(0)
    screenshot(phone, "notifications-portal-phone")

    # The digests would arrive ~5 minutes after start; flush them now through the same code.
    env = {**os.environ, "PAYDROP_DEV_DIR": stack["dev_dir"]}
    done = subprocess.run([sys.executable, "-m", "devstack.tick", "--digests-now"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    messages = requests.get(f"{stack['outbox_url']}/messages.json", timeout=10).json()
    # Only the digest: the seed's other emails to Ada (invoices it sent) are not about activity. It
    # carries every listed item except what its own action already emailed (the recurring invoices
    # went out with their invoice email: listed, not emailed twice).
    [subject] = [m["subject"] for m in messages if "ada@acme.example" in m["to"] and "update" in m["subject"]]
    emailed = int(subject.split()[0])
    assert subject == f"{emailed} updates from Northwind Studio" and count - 2 <= emailed < count
    phone.goto(stack["outbox_url"])
    expect(phone.get_by_text(subject).first).to_be_visible()
    screenshot(phone, "notifications-digest-in-outbox")
