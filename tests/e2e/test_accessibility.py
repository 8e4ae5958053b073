"""Accessibility, checked by a machine: axe-core (tests/e2e/axe.py) on every client page and every
dashboard screen at 390 px and 1366 px (0 serious or critical violations), keyboard-only journeys
(pay, download, approve) and the issue's screenshots under build/e2e/ (`a11y-<what>-<width>px.png`).

One `make dev` stack for the module; one phone and one laptop page, reused screen after screen.
The tests run in file order: the client pages are checked before the keyboard journeys pay and
approve the demo's invoice and deliverable."""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from chalicelib.services.portal.portal import TABS
from tests.e2e.axe import describe, violations
from tests.e2e.conftest import PHONE, Staff, outbox_link, screenshot
from tests.e2e.keyboard import tab_to

pytestmark = pytest.mark.slow
WAIT = 20_000  # ms: the stack shares two cores with other test workers; a page may take a while


@pytest.fixture(scope="module")
def pages(browser: Any) -> Iterator[dict[int, Any]]:
    """A phone (390 px) and a laptop (1366 px) page. CSP is bypassed only so axe's script tag can
    be added; the pages themselves run exactly as served."""
    contexts = {390: browser.new_context(**PHONE, accept_downloads=True, bypass_csp=True),
                1366: browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, bypass_csp=True)}
    yield {width: context.new_page() for width, context in contexts.items()}
    for context in contexts.values():
        context.close()


class Findings:
    """Violations collected over many screens, reported together (one run lists everything to fix)."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}
        self.checked: list[str] = []

    def check(self, page: Any, name: str) -> None:
        self.checked.append(name)
        found = violations(page)
        if found:
            self.found[name] = f"{page.url}\n{describe(found)}"

    def assert_none(self) -> None:
        assert not self.found, "axe-core found serious/critical violations:\n" + "\n".join(
            f"== {name}: {text}" for name, text in self.found.items())


def _open(page: Any, url: str) -> bool:
    """Go to `url`; False when it is not an HTML page (a PDF, a download)."""
    response = page.goto(url)
    return response is None or "text/html" in (response.headers.get("content-type") or "")


def _submit(page: Any, button: Any) -> None:
    """Click a form's submit button and wait for the page it leads to. The forms are real POSTs:
    checking right after the click could run axe on the document being replaced."""
    with page.expect_navigation(timeout=WAIT):
        button.click()
    page.wait_for_load_state()


def _client_urls(stack: dict[str, Any]) -> dict[str, str]:
    portal, base = stack["portal_url"], stack["base_url"]
    project = re.search(r"/projects/([\w-]+)/", stack["deliverable_portal_url"])
    urls = {"invoice": stack["invoice_share_url"], "portal": portal}
    urls |= {f"portal-{tab}": f"{portal}?tab={tab}" for tab in TABS}  # every tab, including ones added later
    urls |= {
        "portal-invoice": f"{portal}/invoices/{stack['sent_invoice_id']}",
        "portal-notifications": stack["portal_notifications_url"],
        "portal-messages": stack["portal_messages_url"],
        "project-messages": f"{portal}/projects/{project.group(1)}/messages" if project else "",
        "project": stack.get("project_portal_url", ""),
        "subscription": stack.get("subscription_url", ""),
        "deliverable": stack["deliverable_portal_url"],
        "recurring": stack["recurring_url"],
        "claim": stack["claim_url"],
        "sign-in": stack["client_sign_in_url"],
        "email-preferences": stack["email_preferences_url"],
        "register": stack["register_url"],
        "bad-invoice-link": f"{base}/invoice/not-a-real-link",
        "bad-portal-link": f"{base}/portal/not-a-real-link",
        "bad-claim-link": f"{base}/claim/not-a-real-link",
        "bad-file-link": f"{base}/files/not-a-real-link",
        "no-portal-session": f"{base}/portal",
    }
    return {name: url for name, url in urls.items() if url}


def _withdrawn_portal_link(staff: Staff) -> str:
    """The portal link of a contact who was then removed (the "access withdrawn" dead end)."""
    made = staff.call("POST", "/clients", {"name": "Withdrawn Ltd", "contacts": [
        {"name": "Stays", "email": "stays@withdrawn.test", "is_primary": True},
        {"name": "Leaves", "email": "leaves@withdrawn.test"}]})
    leaving = next(c for c in made["contacts"] if c["email"] == "leaves@withdrawn.test")
    url = staff.call("POST", f"/clients/{made['client_id']}/contacts/{leaving['contact_id']}/portal")["url"]
    staff.call("DELETE", f"/clients/{made['client_id']}/contacts/{leaving['contact_id']}")
    return str(url)


def _check_limit_reached(page: Any, stack: dict[str, Any], width: int, findings: Findings) -> None:
    """The "limit reached" dead end: sign-in links asked for one address until the limit refuses."""
    for _ in range(8):
        page.goto(stack["client_sign_in_url"])
        page.get_by_label("Email address").fill(f"limit-{width}@nowhere.test")
        with page.expect_response(lambda r: r.request.method == "POST") as reply:
            page.get_by_role("button", name="Email me a sign-in link").click()
        if reply.value.status == 429:
            page.wait_for_load_state()
            findings.check(page, f"limit reached {width}")
            return
    raise AssertionError("the sign-in form never said the limit was reached")


def _check_forms(page: Any, stack: dict[str, Any], width: int, findings: Findings) -> None:
    """The pages reached by submitting a form: check-your-email, the sign-in confirmation, the
    signed-in portal, the claim's check-your-email, the offline checkouts (another origin)."""
    page.goto(stack["client_sign_in_url"])
    page.get_by_label("Email address").fill("ada@acme.example")
    _submit(page, page.get_by_role("button", name="Email me a sign-in link"))
    findings.check(page, f"sign-in check-your-email {width}")
    page.goto(outbox_link(stack, "ada@acme.example", "/signin/confirm/"))
    findings.check(page, f"sign-in confirm {width}")
    _submit(page, page.get_by_role("button", name="Sign in"))
    findings.check(page, f"signed-in portal {width}")
    if _open(page, f"{stack['base_url']}/files"):
        findings.check(page, f"files {width}")
    page.goto(stack["claim_url"])
    page.get_by_label("Email address").fill(f"claimer-{width}@buyer.test")
    _submit(page, page.get_by_role("button", name="Claim with my email"))
    findings.check(page, f"claim check-your-email {width}")
    page.goto(stack["invoice_share_url"])
    page.get_by_test_id("pay").click()
    expect(page.get_by_test_id("offline-pay")).to_be_visible(timeout=WAIT)
    findings.check(page, f"offline checkout {width}")
    page.goto(f"{stack['portal_url']}?tab=payment-methods")
    if page.get_by_test_id("add-card").count():
        _submit(page, page.get_by_test_id("add-card"))
        findings.check(page, f"offline card setup {width}")


def _check_claimed(pages: dict[int, Any], stack: dict[str, Any], staff: Staff, findings: Findings) -> None:
    """A claim link claimed on the phone: the confirmation, the files page that follows, then the
    "already claimed" dead end at both widths."""
    client_id, _ = staff.client("Claimed Co", "owner@claimed.test")
    rid = staff.file("Claimed licence", "claimed.txt", b"Licence key: A11Y-1\n")
    claim_url = staff.call("POST", f"/resources/{rid}/attachments",
                           {"target_type": "client", "target_id": client_id, "policy": "claim_link"})["attachment"]["claim_url"]
    phone = pages[390]
    phone.goto(claim_url)
    phone.get_by_label("Email address").fill("claimer@claimed.test")
    _submit(phone, phone.get_by_role("button", name="Claim with my email"))
    phone.goto(outbox_link(stack, "claimer@claimed.test", "/signin/confirm/"))
    findings.check(phone, "claim confirm 390")
    phone.get_by_role("button", name="Claim it").click()
    phone.wait_for_url("**/files?claimed=1")
    findings.check(phone, "claimed files 390")
    for width, page in pages.items():
        page.context.clear_cookies()
        page.goto(claim_url)
        expect(page.get_by_test_id("already-claimed")).to_be_visible(timeout=WAIT)
        findings.check(page, f"already claimed {width}")


def test_every_client_page_has_no_serious_or_critical_violations_at_390_and_1366(
        pages: dict[int, Any], stack: dict[str, Any], staff: Staff) -> None:
    findings = Findings()
    urls = {**_client_urls(stack), "access-withdrawn": _withdrawn_portal_link(staff)}
    for width, page in pages.items():
        for name, url in urls.items():
            if _open(page, url):
                findings.check(page, f"{name} {width}")
            if name in ("invoice", "portal"):
                screenshot(page, f"a11y-{name}-{width}px")
        _check_forms(page, stack, width, findings)
        _check_limit_reached(page, stack, width, findings)
    _check_claimed(pages, stack, staff, findings)
    assert len(findings.checked) >= 2 * 35, findings.checked
    findings.assert_none()


def _paid(staff: Staff, invoice_id: str) -> bool:
    return bool(staff.call("GET", f"/invoices/{invoice_id}")["status"] == "paid")


def test_a_client_pays_an_invoice_with_the_keyboard_only_then_sees_the_receipt(
        pages: dict[int, Any], stack: dict[str, Any], staff: Staff) -> None:
    page = pages[1366]
    page.goto(stack["invoice_share_url"])
    pay = page.get_by_test_id("pay")
    tab_to(page, pay)
    page.keyboard.press("Tab")  # one further, and back: Shift+Tab returns to Pay
    tab_to(page, pay, backwards=True)
    page.keyboard.press("Enter")
    offline_pay = page.get_by_test_id("offline-pay")
    expect(offline_pay).to_be_visible(timeout=WAIT)
    tab_to(page, offline_pay)
    page.keyboard.press("Space")  # buttons take Space as well as Enter
    page.wait_for_url(re.compile(r"payment=success"))
    # Back on the invoice: it reloads itself until the payments worker has recorded the payment.
    expect(page.get_by_test_id("receipt")).to_be_visible(timeout=40_000)
    expect(page.get_by_test_id("payment-notice")).to_contain_text("this invoice is paid", timeout=WAIT)
    expect(page.get_by_test_id("unlocked-files")).to_contain_text("Brand guidelines", timeout=WAIT)
    assert _paid(staff, stack["sent_invoice_id"])
    screenshot(page, "a11y-invoice-just-paid-1366px")

    # The receipt, reached from the portal's payments by keyboard, checked and captured at both widths.
    page.goto(f"{stack['portal_url']}?tab=payments")
    receipt = page.get_by_test_id("receipt-link").first
    expect(receipt).to_be_visible(timeout=WAIT)
    tab_to(page, receipt)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/receipts/"))
    receipt_url = page.url
    findings = Findings()
    for width, each in pages.items():
        each.goto(receipt_url)
        findings.check(each, f"receipt {width}")
        screenshot(each, f"a11y-receipt-{width}px")
        each.goto(stack["invoice_share_url"])
        findings.check(each, f"paid invoice {width}")
    findings.assert_none()


def test_a_client_downloads_a_file_from_the_portal_with_the_keyboard_only(pages: dict[int, Any], stack: dict[str, Any]) -> None:
    page = pages[390]
    page.goto(f"{stack['portal_url']}?tab=files")
    row = page.get_by_test_id("files").locator("li").filter(has_text="Monthly report")
    download_link = row.get_by_role("link", name="Download")
    tab_to(page, download_link)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "monthly-report.txt"
    assert Path(download.value.path()).stat().st_size > 0


def test_a_client_approves_a_deliverable_with_the_keyboard_only(pages: dict[int, Any], stack: dict[str, Any]) -> None:
    page = pages[390]
    page.goto(stack["deliverable_portal_url"])
    expect(page.get_by_test_id("status")).to_have_text("Awaiting approval", timeout=WAIT)
    approve = page.get_by_test_id("approve")
    tab_to(page, approve)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("status")).to_have_text("Approved", timeout=WAIT)
    findings = Findings()
    for width, each in pages.items():
        each.goto(stack["deliverable_portal_url"])
        findings.check(each, f"approved deliverable {width}")
    findings.assert_none()


def _sign_in(page: Any, stack: dict[str, Any], findings: Findings, width: int) -> None:
    page.goto(stack["dashboard_url"])
    expect(page.get_by_test_id("login-email")).to_be_visible(timeout=WAIT)
    findings.check(page, f"dashboard sign-in {width}")
    page.get_by_test_id("login-email").fill(stack["staff_email"])
    page.get_by_test_id("login-password").fill(stack["staff_password"])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-invoices")).to_be_visible(timeout=WAIT)
    page.wait_for_function("() => !document.getElementById('view').hasAttribute('aria-busy')")


SHOWN_JS = """hash => new Promise(done => {
  if (location.hash === hash) return done(true);
  const view = document.getElementById('view');
  const seen = new MutationObserver(() => { if (!view.hasAttribute('aria-busy')) { seen.disconnect(); done(true); } });
  seen.observe(view, {attributes: true, attributeFilter: ['aria-busy']});
  setTimeout(() => done(false), 20000);
  location.hash = hash;
})"""


def _show(page: Any, hash_: str) -> None:
    """Open a dashboard screen and wait until it has rendered (router.js clears aria-busy)."""
    assert page.evaluate(SHOWN_JS, hash_), f"{hash_} never finished rendering"
    # Images and late requests; the dashboard's polls (bell, inbox count) can keep the network busy
    # for good, and the screen has rendered (aria-busy cleared above): check what is on it then.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_load_state("networkidle", timeout=5000)


def _dashboard_screens(staff: Staff, stack: dict[str, Any]) -> list[str]:
    """Each nav entry and a detail screen of each kind (with the demo's records)."""
    def first_id(path: str, key: str = "id") -> str:
        items = staff.call("GET", path)["items"]
        assert items, f"the demo has no {path}"
        return str(items[0][key])

    quotes = staff.call("GET", "/quotes")["items"]
    quote = quotes[0]["id"] if quotes else staff.call("POST", "/quotes", {
        "client_id": first_id("/clients", "client_id"), "lines": [{"description": "Website", "unit_price": 90000}]})["id"]
    conversation = stack["inbox_url"].split("#/inbox/")[1]
    emails = [k["kind"] for k in staff.call("GET", "/email-previews")["kinds"]]
    return ["#/quotes", "#/invoices", "#/invoices/new", f"#/invoices/{stack['sent_invoice_id']}",
            f"#/invoices/{stack['draft_invoice_id']}", "#/quotes/new", f"#/quotes/{quote}",
            "#/clients", f"#/clients/{first_id('/clients', 'client_id')}", "#/products",
            "#/resources", f"#/resources/{first_id('/resources', 'resource_id')}", "#/payments", "#/settings",
            "#/approvals", f"#/approvals/{first_id('/approvals')}", "#/recurring", f"#/recurring/{first_id('/recurring')}",
            "#/notifications", "#/inbox", f"#/inbox/{conversation}", "#/emails", f"#/emails/{emails[-1]}",
            "#/projects", "#/projects/" + stack["staff_project_url"].split("#/projects/")[1],
            "#/subscriptions", *[f"#/subscriptions/{s['id']}" for s in staff.call("GET", "/subscriptions")["items"][:1]],
            "#/no-such-screen"]


SCREENSHOTS = {"#/invoices": "invoices", "#/clients": "clients", "#/payments": "payments", "#/emails": "email-preview"}


def test_every_dashboard_screen_has_no_serious_or_critical_violations_at_390_and_1366(
        pages: dict[int, Any], stack: dict[str, Any], staff: Staff) -> None:
    screens = _dashboard_screens(staff, stack)
    findings = Findings()
    for width, page in pages.items():
        _sign_in(page, stack, findings, width)
        for hash_ in screens:
            _show(page, hash_)
            findings.check(page, f"dashboard {hash_} {width}")
            if hash_ in SCREENSHOTS:
                screenshot(page, f"a11y-dashboard-{SCREENSHOTS[hash_]}-{width}px")
    assert len(findings.checked) == 2 * (len(screens) + 1)
    findings.assert_none()


def test_an_invoice_email_is_captured_at_390_and_1366(pages: dict[int, Any], stack: dict[str, Any]) -> None:
    """The branded HTML part of an invoice email, as a mail client would show it: readable too
    (axe-core's contrast, link names, language; its layout tables are the email's own business)."""
    outbox_link(stack, "ada@acme.example", "/invoice/")  # the seed's invoice emails have gone out
    messages = requests.get(f"{stack['outbox_url']}/messages.json", timeout=10).json()
    email = next(m for m in messages if m["html"] and m["subject"].startswith("Invoice"))
    findings = Findings()
    for width, page in pages.items():
        page.set_content(email["html"])
        expect(page.get_by_role("link", name="View invoice")).to_be_visible(timeout=WAIT)
        findings.check(page, f"invoice email {width}")
        screenshot(page, f"a11y-email-invoice-{width}px")
    findings.assert_none()
