"""Messaging in the browser, on one `make dev` stack: the demo contact (phone) reads the seeded
conversation, writes and attaches a file without script; staff answer from the dashboard's Inbox
(desktop); the contact sees the answer and who read their message. Screenshots under build/e2e/."""
from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.slow


def test_messages_go_both_ways_with_an_attachment_and_seen_by(phone: Any, desktop: Any, stack: dict[str, Any],
                                                              tmp_path: Any) -> None:
    page = phone
    page.goto(stack["portal_messages_url"])
    expect(page.get_by_test_id("message")).to_have_count(3)  # the seeded conversation
    expect(page.get_by_role("link", name="https://northwind.example/concepts/dark")).to_have_attribute(
        "rel", "noopener nofollow ugc")

    page.get_by_role("button", name=re.compile("Attach a file")).click()
    contract = tmp_path / "contract.pdf"
    contract.write_bytes(b"%PDF-1.7\n% signed contract\n")
    page.get_by_test_id("upload-file").set_input_files(str(contract))
    page.get_by_test_id("upload-send").click()  # straight to S3, which sends the browser back
    expect(page.get_by_test_id("pending-attachments")).to_contain_text("attachment.pdf")
    page.get_by_test_id("message-text").fill("Signed contract attached. <b>Thanks!</b>")
    page.get_by_test_id("message-send").click()
    expect(page.get_by_test_id("message")).to_have_count(4)
    latest = page.get_by_test_id("message").last
    expect(latest).to_contain_text("Signed contract attached. <b>Thanks!</b>")
    expect(latest.get_by_test_id("attachment")).to_have_text("attachment.pdf")
    screenshot(page, "messaging-1-client-writes")

    staff = desktop
    sign_in(staff, stack)
    expect(staff.get_by_test_id("nav-inbox")).to_be_visible()
    staff.get_by_test_id("nav-inbox").click()
    expect(staff.get_by_test_id("nav-inbox")).to_have_text(re.compile(r"Inbox \(\d+\)"))
    row = staff.get_by_test_id("conversation-row").first
    expect(row.get_by_test_id("unread")).to_have_text(re.compile(r"\d+ unread"))
    row.get_by_role("link").click()
    expect(staff.get_by_test_id("message").last).to_contain_text("Signed contract attached.")
    staff.get_by_test_id("answer-text").fill("Received, thank you! Next steps: https://northwind.example/next")
    staff.get_by_test_id("answer-send").click()
    expect(staff.get_by_test_id("message").last).to_contain_text("Received, thank you!")
    expect(staff.get_by_test_id("message").last.get_by_role("link")).to_have_attribute("rel", "noopener nofollow ugc")
    screenshot(staff, "messaging-2-staff-inbox")

    page.reload()
    expect(page.get_by_test_id("message")).to_have_count(5)
    expect(page.get_by_test_id("message").nth(3).get_by_test_id("seen-by")).to_contain_text(stack["staff_email"])
    screenshot(page, "messaging-3-client-sees-the-answer")

    # The team writes first to another client from the Inbox.
    staff.get_by_test_id("nav-inbox").click()
    staff.get_by_test_id("new-message-client").select_option(label="Acme Robotics GmbH")
    staff.get_by_test_id("new-message-text").fill("One more thing: the invoice is on its way.")
    staff.get_by_test_id("new-message-send").click()
    expect(staff.get_by_test_id("message").last).to_contain_text("One more thing")
