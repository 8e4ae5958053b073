"""Statements: the forms start at this year so far (1 January → today), and a statement can be
emailed — by staff to the client's contacts, by a contact to themself from the portal — as a
link per recipient that answers with the PDF while that contact is still current."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.conftest import Api, local_path
from tests.support.client_flows import JSON, post_form
from tests.support.pdfs import follow_pdf
from tests.support.portal import client_with_contact, make_document, portal_link

pytestmark = pytest.mark.usefixtures("one_test_per_ip")
ADDRESS = "pat@portal.test"


@pytest.fixture
def history(tenant: Any) -> dict[str, Any]:
    client_id, contact_id = client_with_contact(tenant, "Statement Client", ADDRESS)
    today = date.today()
    invoice = make_document(tenant, client_id, amount=25000, issue_date=today.replace(month=1, day=1).isoformat())
    return {"client_id": client_id, "contact_id": contact_id, "invoice": invoice,
            "portal": portal_link(tenant, client_id, contact_id), "year": today.replace(month=1, day=1).isoformat(),
            "today": today.isoformat()}


def _statement_link(outbox: Any, address: str) -> str:
    [link] = [u for u in outbox.to(address)[-1].links if "/statement/" in u]
    return local_path(link)


def test_the_forms_and_the_api_default_to_this_year(tenant: Any, anonymous: Api, history: dict[str, Any]) -> None:
    tab = anonymous.get(f"{history['portal']}?tab=payments").text
    assert f'name="from" type="date" required value="{history["year"]}"' in tab
    assert f'name="to" type="date" required value="{history["today"]}"' in tab
    assert 'data-testid="email-statement"' in tab
    made = tenant.api.get(f"/api/v1/clients/{history['client_id']}/statement").json
    assert (made["from"], made["to"]) == (history["year"], history["today"])


def test_staff_email_the_statement_to_the_clients_contacts(
        tenant: Any, anonymous: Api, outbox: Any, history: dict[str, Any]) -> None:
    reply = tenant.api.post(f"/api/v1/clients/{history['client_id']}/statement/email",
                            {"from": history["year"], "to": history["today"]})
    assert reply.status == 200 and reply.json == {"sent_to": [ADDRESS], "skipped": []}
    [message] = outbox.to(ADDRESS)
    assert "Statement of account" in message.subject and "€250.00" in message.text and "€250.00" in (message.html or "")
    start, end = (date.fromisoformat(history[k]) for k in ("year", "today"))
    assert f"from {start.day} {start:%b %Y} to {end.day} {end:%b %Y}" in message.text  # en_GB, "1 Jan 2026"
    _, pdf = follow_pdf(anonymous, _statement_link(outbox, ADDRESS))
    assert "Statement Client" in pdf.text and history["invoice"]["number"] in pdf.text
    # No body: this year so far.
    assert tenant.api.post(f"/api/v1/clients/{history['client_id']}/statement/email").status == 200


def test_a_bad_range_or_another_business_sends_nothing(
        tenant: Any, outbox: Any, history: dict[str, Any], make_tenant: Any) -> None:
    path = f"/api/v1/clients/{history['client_id']}/statement/email"
    bad = tenant.api.post(path, {"from": "2026-02-30"})
    assert bad.status == 400 and bad.error["field"] == "from"
    assert tenant.api.post(path, {"from": "2026-01-01", "cc": "x"}).status == 400
    assert make_tenant("Elsewhere").api.post(path, {}).status == 404
    assert outbox.to(ADDRESS) == []


def test_a_contact_emails_themself_the_statement_from_the_portal(
        tenant: Any, anonymous: Api, outbox: Any, history: dict[str, Any]) -> None:
    reply = post_form(anonymous, f"{history['portal']}/statement/email", {"from": history["year"], "to": history["today"]})
    assert reply.status == 202 and ADDRESS in reply.text
    link = _statement_link(outbox, ADDRESS)
    follow_pdf(anonymous, link)
    # The link ends with the contact's access.
    assert tenant.api.delete(f"/api/v1/clients/{history['client_id']}/contacts/{history['contact_id']}").status == 200
    assert anonymous.get(link).status == 404
    assert anonymous.get(f"/statement/{'A' * 43}").status == 404


def test_the_portal_statement_email_is_checked_and_rate_limited(
        anonymous: Api, outbox: Any, history: dict[str, Any], frozen_clock: None) -> None:
    path = f"{history['portal']}/statement/email"
    bad = post_form(anonymous, path, {"from": "2020-01-01", "to": "2026-12-31"}, Accept="application/json")
    assert bad.status == 400 and bad.error["field"] == "from"
    assert post_form(anonymous, path, {"from": "x"}, **{"Sec-Fetch-Site": "cross-site"}).status == 403
    statuses = [anonymous.call("POST", path, "", headers={**JSON, "Content-Type": "application/x-www-form-urlencoded"}).status
                for _ in range(6)]
    assert statuses == [202] * 5 + [429]
    assert len(outbox.to(ADDRESS)) == 5
