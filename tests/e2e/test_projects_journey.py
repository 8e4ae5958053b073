"""Projects in the browser: staff builds a project's milestones in the dashboard (add, reorder,
complete), completes the demo project's billed milestone (its invoice is sent), and the client
follows it on a phone. Screenshots under build/e2e/."""
from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Staff, screenshot, sign_in

pytestmark = pytest.mark.slow


def _add_milestone(page: Any, title: str) -> None:
    form = page.get_by_test_id("milestone-form").last
    form.get_by_test_id("milestone-title").fill(title)
    form.get_by_test_id("milestone-save").click()
    expect(page.get_by_test_id("milestone-row").filter(has_text=title)).to_be_visible()


def test_staff_builds_a_project_and_completing_a_milestone_bills_the_client(
        desktop: Any, phone: Any, stack: dict[str, Any], staff: Staff) -> None:
    page = desktop
    sign_in(page, stack)
    page.get_by_test_id("nav-projects").click()
    page.get_by_test_id("project-client").select_option(label="Acme Robotics GmbH")
    page.get_by_test_id("project-name").fill("Brand refresh")
    page.get_by_test_id("project-save").click()
    expect(page).to_have_url(re.compile(r"#/projects/[0-9a-f]+$"))
    _add_milestone(page, "Moodboard")
    _add_milestone(page, "Logo")
    page.get_by_role("button", name="Move “Logo” up").click()
    expect(page.get_by_test_id("milestone-row").first).to_contain_text("Logo")
    page.get_by_test_id("milestone-row").first.get_by_test_id("milestone-complete").click()
    expect(page.get_by_test_id("project-progress")).to_contain_text("50 %")
    screenshot(page, "projects-staff-milestones")

    page.goto(stack["staff_project_url"])
    design = page.get_by_test_id("milestone-row").filter(has_text="Design")
    design.get_by_test_id("milestone-complete").click()
    expect(page.get_by_test_id("toast")).to_contain_text("is sent")
    expect(page.get_by_test_id("project-progress")).to_contain_text("66 %")

    phone.goto(stack["project_portal_url"])
    expect(phone.get_by_test_id("progress")).to_contain_text("66 % done")
    expect(phone.get_by_test_id("invoices")).to_contain_text("Sent")  # sentence-case badge
    expect(phone.get_by_test_id("waiting")).to_contain_text("to pay")
    screenshot(phone, "projects-client-project-page")
    phone.get_by_test_id("invoices").get_by_role("link").first.click()
    expect(phone).to_have_url(re.compile(r"/invoices/[0-9a-f]+$"))
