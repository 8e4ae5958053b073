"""A deliverable approved in the browser: the client (phone) requests changes with a comment on the
seeded homepage design, staff upload version 2 from the dashboard's Approvals screen, the
client approves it; staff see the whole history. Screenshots under build/e2e/."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.slow


def _design(path: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1400, 1000), "#f0fdfa")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1400, 120), fill="#0f766e")
    draw.rectangle((60, 180, 1340, 560), fill="#5eead4")
    out = io.BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def test_the_client_requests_changes_staff_upload_version_2_and_the_client_approves(
        phone: Any, desktop: Any, stack: dict[str, Any], tmp_path: Path) -> None:
    page = phone
    page.goto(stack["deliverable_portal_url"])
    expect(page.get_by_test_id("status")).to_have_text("Awaiting approval")
    preview = page.get_by_test_id("preview")
    expect(preview).to_be_visible()
    # Readable on a phone: the page fills the card's width, from a source wider than 800 px.
    assert page.evaluate("img => img.naturalWidth", preview.element_handle()) >= 800
    assert preview.bounding_box()["width"] > 300
    screenshot(page, "approvals-1-client-phone-preview")
    page.locator("#changes-comment").fill("Please make the logo bigger.\nAnd use our teal.")
    page.get_by_test_id("request-changes").click()
    expect(page.get_by_test_id("notice")).to_contain_text("request for changes")
    expect(page.get_by_test_id("decision-comment")).to_contain_text("logo bigger")

    sign_in(desktop, stack)
    desktop.goto(stack["staff_approvals_url"])
    desktop.get_by_test_id("approval-row").filter(has_text="Homepage design").get_by_role("link").click()
    expect(desktop.get_by_test_id("version-1")).to_contain_text("Please make the logo bigger.")
    desktop.get_by_test_id("new-version-input").set_input_files(str(_design(tmp_path / "homepage-v2.png")))
    expect(desktop.get_by_test_id("version-2")).to_be_visible(timeout=20_000)
    screenshot(desktop, "approvals-2-staff-history")

    page.goto(stack["deliverable_portal_url"])
    expect(page.get_by_test_id("status")).to_have_text("Awaiting approval")
    expect(page.get_by_test_id("version-1")).to_contain_text("Changes requested")
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("status")).to_have_text("Approved")
    screenshot(page, "approvals-3-client-approved")

    desktop.reload()
    expect(desktop.get_by_test_id("version-2").get_by_test_id("decision")).to_contain_text("Ada Lovelace")
