"""`make dev` end to end: the stack starts, writes its demo links, serves them, stops cleanly."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.dev_stack import running_dev_stack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dev_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with running_dev_stack(tmp_path_factory.mktemp("dev")) as links:
        yield links


@pytest.mark.slow
def test_demo_links_are_written_and_work(dev_stack: dict[str, str]) -> None:
    assert {"base_url", "staff_email", "staff_password", "invoice_share_url"} <= set(dev_stack)
    health = requests.get(f"{dev_stack['base_url']}/health", timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    page = requests.get(dev_stack["invoice_share_url"], timeout=10)
    assert page.status_code == 200
    assert "Northwind Studio" in page.text and "INV-0001" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert "Brand guidelines" in page.text and "available after payment" in page.text
    portal = requests.get(dev_stack["portal_url"], timeout=10)
    assert portal.status_code == 200 and "INV-0001" in portal.text
    assert "Payment reminders" in requests.get(dev_stack["email_preferences_url"], timeout=10).text
    claim = requests.get(dev_stack["claim_url"], timeout=10)
    assert claim.status_code == 200 and "Display font licence" in claim.text


@pytest.mark.slow
def test_the_demo_deliverable_awaits_the_clients_approval(dev_stack: dict[str, str]) -> None:
    page = requests.get(dev_stack["deliverable_portal_url"], timeout=10)
    assert page.status_code == 200 and "Homepage design" in page.text and "Awaiting approval" in page.text
    preview = requests.get(dev_stack["deliverable_portal_url"], headers={"Accept": "application/json"}, timeout=10)
    assert preview.json()["preview"]["width"] == 1200


def _delivered_to(address: str, outbox_url: str, within: float = 10) -> list[dict[str, Any]]:
    """The outbox's messages to `address`, once the pump has delivered any (mail is queued, then sent)."""
    deadline = time.monotonic() + within
    while True:
        found = [m for m in requests.get(f"{outbox_url}/messages.json", timeout=10).json() if address in m["to"]]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


@pytest.mark.slow
def test_a_client_signs_in_with_the_link_from_the_outbox(dev_stack: dict[str, str]) -> None:
    session = requests.Session()
    asked = session.post(dev_stack["client_sign_in_url"], data={"email": "ada@acme.example"}, timeout=10)
    assert asked.status_code == 202
    deadline = time.monotonic() + 10  # the seed also mailed Ada (invoices, digests): pick the sign-in email
    while not (links := [u for m in _delivered_to("ada@acme.example", dev_stack["outbox_url"]) for u in m["links"]
                         if "/signin/confirm/" in u]) and time.monotonic() < deadline:
        time.sleep(0.2)
    [link] = links
    files = session.post(link, timeout=10)  # follows the 303 to /files with the session cookie
    assert files.status_code == 200 and "Your files" in files.text and "ada@acme.example" in files.text


@pytest.mark.slow
def test_the_printed_staff_credentials_sign_in(dev_stack: dict[str, str]) -> None:
    base = dev_stack["base_url"]
    login = requests.post(f"{base}/api/v1/auth/login", timeout=10,
                          json={"email": dev_stack["staff_email"], "password": dev_stack["staff_password"]})
    assert login.status_code == 200
    headers = {"Authorization": f"Bearer {login.json()['id_token']}"}
    invoices = requests.get(f"{base}/api/v1/invoices", headers=headers, timeout=10).json()["items"]
    # The hand-made draft and sent invoices, and those the other demo parts made (part-paid, recurring).
    assert {"draft", "sent"} <= {i["status"] for i in invoices}
    clients = requests.get(f"{base}/api/v1/clients", headers=headers, timeout=10).json()["items"]
    contacts = requests.get(f"{base}/api/v1/clients/{clients[0]['client_id']}", headers=headers, timeout=10).json()["contacts"]
    assert len(contacts) == 2


@pytest.mark.slow
def test_forged_tokens_are_401_on_the_local_server_too(dev_stack: dict[str, str]) -> None:
    base = dev_stack["base_url"]
    for token in ("garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."):
        reply = requests.get(f"{base}/api/v1/invoices", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert reply.status_code == 401, token


@pytest.mark.slow
def test_paying_in_the_offline_checkout_unlocks_the_file_without_staff(dev_stack: dict[str, str]) -> None:
    """The whole async path on the running stack: Pay → offline checkout → signed webhook →
    stripe-events queue → payments worker (the pump) → invoice paid, file released, receipt."""
    import time

    page = dev_stack["invoice_share_url"]
    assert "available after payment" in requests.get(page, timeout=10).text
    to_checkout = requests.post(page + "/pay", allow_redirects=False, timeout=10)
    assert to_checkout.status_code == 303
    checkout = to_checkout.headers["Location"]
    assert "Test mode" in requests.get(checkout, timeout=10).text
    back = requests.post(checkout, data={"outcome": "pay"}, allow_redirects=False, timeout=30)
    assert back.status_code == 303 and back.headers["Location"].endswith("?payment=success")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        html = requests.get(page, headers={"Accept": "application/json"}, timeout=10).json()
        if html["invoice"]["status"] == "paid":
            break
        time.sleep(0.5)
    assert html["invoice"]["status"] == "paid"
    [brand_file] = [r for r in html["invoice"]["resources"] if r["title"] == "Brand guidelines"]
    assert brand_file["status"] == "available"
    download = requests.get(brand_file["download_url"], allow_redirects=False, timeout=10)
    assert download.status_code == 302
    assert requests.get(download.headers["Location"], timeout=10).content.startswith(b"Northwind brand guidelines")


@pytest.mark.slow
def test_the_log_is_quiet_and_ctrl_c_stops_it_within_5_seconds(tmp_path: Path) -> None:
    """The demo links stay on screen (no line per queue poll or local AWS request), and Ctrl-C
    ends it promptly even after traffic."""
    stopped: dict[str, float] = {}
    with running_dev_stack(tmp_path, stopped) as links:
        for _ in range(5):
            assert requests.get(links["invoice_share_url"], timeout=10).status_code == 200
        time.sleep(4)  # the pump polls each queue every second or so
        log = (tmp_path / "devstack.log").read_text()
    lines = [line for line in log.splitlines() if line.strip()]
    assert not [line for line in lines if "polled" in line or "POST / HTTP" in line], log[-2000:]
    start = next(i for i, line in enumerate(lines) if line.startswith("Paydrop is running locally"))
    assert lines[start + 1].strip().startswith("App:") and lines[-1] == "Press Ctrl-C to stop."
    assert links["invoice_share_url"] in log
    assert stopped["seconds"] < 5


@pytest.mark.slow
def test_the_demo_project_opens_in_the_portal_and_in_the_dashboard(dev_stack: dict[str, str]) -> None:
    page = requests.get(dev_stack["project_portal_url"], timeout=10)
    assert page.status_code == 200 and "Website relaunch" in page.text
    assert all(title in page.text for title in ("Discovery", "Design", "Launch")) and "33 % done" in page.text
    project_id = dev_stack["project_portal_url"].rsplit("/", 1)[1]
    assert dev_stack["staff_project_url"].endswith(f"/app/#/projects/{project_id}")
    base = dev_stack["base_url"]
    login = requests.post(f"{base}/api/v1/auth/login", timeout=10,
                          json={"email": dev_stack["staff_email"], "password": dev_stack["staff_password"]})
    headers = {"Authorization": f"Bearer {login.json()['id_token']}"}
    project = requests.get(f"{base}/api/v1/projects/{project_id}", headers=headers, timeout=10).json()
    assert [(m["title"], m["status"], bool(m["invoice_id"])) for m in project["milestones"]] == [
        ("Discovery", "done", False), ("Design", "active", True), ("Launch", "planned", False)]


@pytest.mark.slow
def test_the_demo_portal_shows_a_monthly_recurring_invoice_with_two_invoices(dev_stack: dict[str, str]) -> None:
    tab = requests.get(f"{dev_stack['portal_url']}?tab=recurring", timeout=10)
    assert tab.status_code == 200 and "Every month" in tab.text and "Recurring" in tab.text
    page = requests.get(dev_stack["recurring_url"], headers={"Accept": "application/json"}, timeout=10).json()
    assert page["recurring"]["frequency"] == "monthly"
    assert [i["status"] for i in page["invoices"]] == ["sent", "paid"]  # newest first; the first month is paid
