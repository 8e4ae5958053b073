"""Issue 14's "Done when" journey as one story on one `make dev` stack.

Staff (desktop dashboard) create a project and a milestone, upload a design, attach it to the
project and ask the client to approve it; the client (phone portal) requests changes with a
comment; staff upload version 2; the client approves. The client writes on the project, staff
answer from the Inbox; the digests are flushed (`devstack.tick --digests-now`, what the pump does
after 5 minutes); the client answers the digest by email through the outbox's Reply (the same
inbound worker as the cloud) and staff see it in the Inbox. Screenshots: build/e2e/issue14-*.png.
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.dev_stack import ROOT, running_dev_stack
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.slow

ADA = "ada@acme.example"
TEAM = "billing@northwind.example"  # the demo business's address: the team inbox


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """This story's own stack, and its `.dev` folder for `devstack.tick --digests-now`."""
    dev_dir = tmp_path_factory.mktemp("dev")
    with running_dev_stack(dev_dir) as links:
        yield {**links, "dev_dir": str(dev_dir)}


def _design(path: Path, colour: str) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 800), "#f8fafc")
    ImageDraw.Draw(image).rectangle((80, 120, 1120, 520), fill=colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def _outbox(stack: dict[str, Any], to: str, subject: str, within: float = 20) -> dict[str, Any]:
    """The newest email to `to` whose subject contains `subject`, once the pump has delivered it."""
    deadline = time.monotonic() + within
    while True:
        found = [m for m in requests.get(f"{stack['outbox_url']}/messages.json", timeout=10).json()
                 if to in m["to"] and subject in m["subject"]]
        if found or time.monotonic() > deadline:
            assert found, f"no mail to {to} about {subject!r}"
            return dict(found[0])
        time.sleep(0.3)


def _staff_builds_the_project(page: Any, stack: dict[str, Any], design: Path) -> str:
    sign_in(page, stack)
    page.get_by_test_id("nav-projects").click()
    page.get_by_test_id("project-client").select_option(label="Acme Robotics GmbH")
    page.get_by_test_id("project-name").fill("Spring campaign")
    page.get_by_test_id("project-save").click()
    expect(page).to_have_url(re.compile(r"#/projects/[0-9a-f]+$"))
    project_url = page.url
    form = page.get_by_test_id("milestone-form").last
    form.get_by_test_id("milestone-title").fill("Poster")
    form.get_by_test_id("milestone-save").click()
    expect(page.get_by_test_id("milestone-row").filter(has_text="Poster")).to_be_visible()
    screenshot(page, "issue14-1-staff-project")

    page.get_by_test_id("nav-resources").click()
    page.get_by_test_id("upload-input").set_input_files(str(design))
    row = page.get_by_test_id("resource-row").filter(has_text="poster")
    expect(row.first).to_contain_text(re.compile("ready", re.I), timeout=20_000)
    title = row.first.locator("a.resource-title").inner_text()
    row.first.locator("a.resource-title").click()
    page.get_by_test_id("attach-target-type").select_option("project")
    page.get_by_test_id("attach-target-id").select_option(label="Spring campaign")
    page.get_by_test_id("attach-policy").select_option("visible")
    page.get_by_test_id("attach-save").click()
    expect(page.get_by_test_id("attachment-row").filter(has_text="Spring campaign")).to_be_visible()

    page.get_by_test_id("nav-approvals").click()
    page.get_by_text("Ask a client to approve a file").click()
    page.get_by_test_id("ask-project").select_option(label="Spring campaign")
    page.get_by_test_id("ask-resource").select_option(label=title)
    page.get_by_label("Title shown to the client (optional)").fill("Campaign poster")
    page.get_by_test_id("ask-milestone").select_option(label="Poster")  # the project's milestones, by title
    page.get_by_test_id("ask-approval").click()
    expect(page.get_by_test_id("version-1")).to_be_visible()
    expect(page.get_by_test_id("approval-project")).to_have_text("Spring campaign")
    expect(page.get_by_test_id("approval-milestone")).to_have_text("Poster")
    screenshot(page, "issue14-2-staff-asks-for-approval")
    return project_url


def test_issue_14_done_when_journey(desktop: Any, phone: Any, stack: dict[str, Any], tmp_path: Path) -> None:
    started = time.monotonic()
    staff = desktop
    _staff_builds_the_project(staff, stack, _design(tmp_path / "poster.png", "#0f766e"))

    # The client, on a phone: the project page, the deliverable, a request for changes.
    client = phone
    client.goto(stack["portal_url"])
    client.get_by_role("link", name="Projects", exact=True).click()
    client.get_by_role("link", name="Spring campaign").first.click()
    expect(client.get_by_test_id("deliverables")).to_contain_text("Campaign poster")
    expect(client.get_by_text("Poster", exact=True)).to_be_visible()
    project_page = client.url
    client.get_by_test_id("deliverables").get_by_role("link", name="Campaign poster").click()
    expect(client.get_by_test_id("status")).to_have_text("Awaiting approval")
    client.locator("#changes-comment").fill("Bigger headline, please.")
    client.get_by_test_id("request-changes").click()
    expect(client.get_by_test_id("decision-comment")).to_contain_text("Bigger headline")
    screenshot(client, "issue14-3-client-requests-changes")

    # Staff see the comment and upload version 2 from the Approvals screen.
    staff.get_by_test_id("nav-approvals").click()
    staff.get_by_test_id("approval-row").filter(has_text="Campaign poster").get_by_role("link").first.click()
    expect(staff.get_by_test_id("version-1")).to_contain_text("Bigger headline, please.")
    staff.get_by_test_id("new-version-input").set_input_files(str(_design(tmp_path / "poster-v2.png", "#115e59")))
    expect(staff.get_by_test_id("version-2")).to_be_visible(timeout=20_000)
    screenshot(staff, "issue14-4-staff-version-2")

    # The client approves version 2, then writes on the project.
    deliverable_page = client.url
    client.goto(deliverable_page)
    expect(client.get_by_test_id("version-1")).to_contain_text("Changes requested")
    client.get_by_test_id("approve").click()
    expect(client.get_by_test_id("status")).to_have_text("Approved")
    screenshot(client, "issue14-5-client-approves")
    client.goto(project_page)
    client.get_by_test_id("message-text").fill("Approved! When does the poster go to print?")
    client.get_by_test_id("message-send").click()
    expect(client.get_by_test_id("message").last).to_contain_text("When does the poster go to print?")

    # Staff answer from the Inbox.
    staff.get_by_test_id("nav-inbox").click()
    row = staff.get_by_test_id("conversation-row").filter(has_text="Spring campaign")  # rows name their project
    expect(row.get_by_test_id("unread")).to_have_text("1 unread")
    row.get_by_role("link").first.click()
    expect(staff.get_by_test_id("message").last).to_contain_text("go to print?")
    staff.get_by_test_id("answer-text").fill("On Monday; the proof follows.")
    staff.get_by_test_id("answer-send").click()
    expect(staff.get_by_test_id("message").last).to_contain_text("On Monday")
    screenshot(staff, "issue14-6-staff-answers-in-the-inbox")
    conversation_url = staff.url

    # The digests (the pump sends them 5 minutes after the first event): flush them now.
    env = {**os.environ, "PAYDROP_DEV_DIR": stack["dev_dir"]}
    done = subprocess.run([sys.executable, "-m", "devstack.tick", "--digests-now"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    digest = _outbox(stack, ADA, "updates from Northwind Studio")
    for line in ("Approval requested: Campaign poster", "New version to approve: Campaign poster (version 2)",
                 "New message from Northwind Studio", "On Monday; the proof follows."):
        assert line in digest["text"], (line, digest["text"])
    assert digest["headers"].get("Reply-To"), digest["headers"]
    team = _outbox(stack, TEAM, "updates from Northwind Studio")  # the team's own digest: decisions, messages
    for line in ("Ada Lovelace requested changes to Campaign poster (version 1)", "Bigger headline, please.",
                 "Ada Lovelace approved Campaign poster (version 2)", "New message from Ada Lovelace", "go to print?"):
        assert line in team["text"], (line, team["text"])
    decision = next(u for u in team["links"] if "#/approvals/" in u)
    staff.goto(decision)  # the digest's link opens the deliverable's history in the dashboard
    expect(staff.get_by_test_id("version-2").get_by_test_id("decision")).to_contain_text("Ada Lovelace")

    # The client answers the digest by email, from the outbox page (S3 → SQS → inbound worker).
    client.goto(stack["outbox_url"])
    mail = client.locator("article").filter(has_text=digest["subject"]).filter(has_text=ADA).first
    expect(mail).to_be_visible()
    screenshot(client, "issue14-7-digest-in-the-outbox")
    mail.get_by_test_id("reply-form").locator("textarea").fill("Monday works. Thanks!")
    mail.get_by_test_id("reply-form").get_by_role("button", name="Reply").click()

    staff.goto(conversation_url)
    deadline = time.monotonic() + 20
    while True:
        expect(staff.get_by_test_id("messages")).to_be_visible()  # the screen rendered (after a reload, too)
        if staff.get_by_test_id("message").filter(has_text="Monday works. Thanks!").count():
            break
        assert time.monotonic() < deadline, "the emailed reply never reached the Inbox"
        time.sleep(0.5)
        staff.reload()
    reply = staff.get_by_test_id("message").filter(has_text="Monday works. Thanks!")
    expect(reply).not_to_contain_text("wrote:")  # the quoted digest is stripped
    screenshot(staff, "issue14-8-email-reply-in-the-inbox")
    assert time.monotonic() - started < 90


def test_the_seeded_project_opens_for_the_contact_and_for_staff(desktop: Any, phone: Any,
                                                                 stack: dict[str, Any]) -> None:
    """`make dev`'s links: the contact's portal on the demo project (three milestones, the deliverable
    awaiting approval, the conversation) and the same project in the dashboard."""
    phone.goto(stack["project_portal_url"])
    expect(phone.get_by_test_id("milestone")).to_have_count(3)
    expect(phone.get_by_test_id("deliverables")).to_contain_text("Homepage design")
    expect(phone.get_by_test_id("deliverables")).to_contain_text("Awaiting approval")
    expect(phone.get_by_test_id("conversation").get_by_test_id("message")).to_have_count(3)
    screenshot(phone, "issue14-9-seeded-project-on-a-phone")
    sign_in(desktop, stack)
    desktop.goto(stack["staff_project_url"])
    expect(desktop.get_by_test_id("milestone-row")).to_have_count(3)
    expect(desktop.get_by_role("heading", name="Website relaunch")).to_be_visible()
    screenshot(desktop, "issue14-10-seeded-project-in-the-dashboard")
