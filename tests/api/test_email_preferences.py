"""Emails to contacts (invoices, reminders) carry a preferences link and RFC 8058 one-click
unsubscribe headers; the no-login preferences page takes a form or strict JSON; sending
honours what the contact chose."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, local_path
from tests.support.client_flows import FORM, JSON

# The six kinds of activity digests (services/notifications/digests.py) are on unless turned off.
ACTIVITY_ON = dict.fromkeys(("messages", "approvals", "decisions", "milestones", "invoices", "files"), True)


def _emailed(tenant: Any, outbox: Any) -> tuple[dict[str, Any], Any]:
    invoice = tenant.invoice()
    reply = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/email")
    assert reply.status == 200 and reply.json["sent_to"] == ["ada@acme.test"]
    return invoice, outbox.to("ada@acme.test")[-1]


def _prefs_path(message: Any) -> str:
    [url] = [u for u in message.links if "/email-preferences/" in u]
    return local_path(url)


def test_an_emailed_invoice_links_to_preferences_with_one_click_unsubscribe_headers(tenant: Any, outbox: Any) -> None:
    invoice, message = _emailed(tenant, outbox)
    assert message.subject == f"Invoice {invoice['number']} from Test Business"
    path = _prefs_path(message)
    assert message.html and f'href="https://pay.example.test{path}"' in message.html  # the HTML part's footer
    assert "Choose which emails you get" in message.html
    assert message.headers["List-Unsubscribe"] == f"<https://pay.example.test{path}/unsubscribe>"
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert any("/invoice/" in u and u.endswith("?src=email") for u in message.links)


def test_the_preferences_page_toggles_each_kind_independently(tenant: Any, anonymous: Api, outbox: Any) -> None:
    _, message = _emailed(tenant, outbox)
    path = _prefs_path(message)
    page = anonymous.get(path)
    assert page.status == 200 and "Payment reminders" in page.text and page.headers["Cache-Control"] == "no-store"
    assert anonymous.get(path, headers=JSON).json == {"documents": True, "reminders": True, "marketing": False, **ACTIVITY_ON}
    saved = anonymous.call("POST", path, "documents=true&reminders=false&marketing=false", headers=FORM)
    assert saved.status == 200 and 'data-testid="saved"' in saved.text
    assert anonymous.get(path, headers=JSON).json == {"documents": True, "reminders": False, "marketing": False, **ACTIVITY_ON}
    assert anonymous.call("POST", path, '{"marketing": true}',
                          headers={"Content-Type": "application/json", **JSON}).json["marketing"] is True


@pytest.mark.parametrize("body, content_type", [
    ('{"reminders": "no"}', "application/json"),
    ('{"reminders": 0}', "application/json"),
    ('{"unsubscribe_everyone": true}', "application/json"),
    ('{"reminders": false, "admin": true}', "application/json"),
    ("[]", "application/json"),
    ("reminders=maybe", FORM["Content-Type"]),
    ("reminders=false&reminders=true", FORM["Content-Type"]),
    ("email=x@y.test", FORM["Content-Type"]),
])
def test_anything_but_those_keys_as_booleans_is_refused_and_nothing_changes(
        tenant: Any, anonymous: Api, outbox: Any, body: str, content_type: str) -> None:
    _, message = _emailed(tenant, outbox)
    path = _prefs_path(message)
    reply = anonymous.call("POST", path, body, headers={"Content-Type": content_type, **JSON})
    assert reply.status == 400 and reply.json["error"]["message"]
    assert anonymous.get(path, headers=JSON).json == {"documents": True, "reminders": True, "marketing": False, **ACTIVITY_ON}


def test_a_reminder_to_an_opted_out_contact_sends_no_email(tenant: Any, anonymous: Api, outbox: Any) -> None:
    invoice, message = _emailed(tenant, outbox)
    remind = f"/api/v1/invoices/{invoice['id']}/remind"
    assert tenant.api.post(remind).json["sent_to"] == ["ada@acme.test"]
    assert outbox.to("ada@acme.test")[-1].subject.startswith("Reminder: invoice")
    anonymous.call("POST", _prefs_path(message), '{"reminders": false}', headers={"Content-Type": "application/json"})
    before = len(outbox.to("ada@acme.test"))
    reply = tenant.api.post(remind)
    assert reply.json == {"sent_to": [], "skipped": ["ada@acme.test"]}
    assert len(outbox.to("ada@acme.test")) == before
    # Documents are a separate choice: the invoice itself still goes out.
    assert tenant.api.post(f"/api/v1/invoices/{invoice['id']}/email").json["sent_to"] == ["ada@acme.test"]


def test_one_click_unsubscribe_stops_every_kind(tenant: Any, anonymous: Api, outbox: Any) -> None:
    invoice, message = _emailed(tenant, outbox)
    reply = anonymous.call("POST", _prefs_path(message) + "/unsubscribe", "List-Unsubscribe=One-Click", headers=FORM)
    assert reply.status == 200 and reply.json == {"documents": False, "reminders": False, "marketing": False, **ACTIVITY_ON}
    assert tenant.api.post(f"/api/v1/invoices/{invoice['id']}/email").json["skipped"] == ["ada@acme.test"]


def test_reminders_only_for_unpaid_invoices_and_bad_links_are_404(tenant: Any, anonymous: Api, outbox: Any) -> None:
    invoice = tenant.invoice()
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {})
    assert tenant.api.post(f"/api/v1/invoices/{invoice['id']}/remind").status == 409
    for bad in ("/email-preferences/" + "A" * 43, "/email-preferences/short"):
        assert anonymous.get(bad).status == 404
        assert anonymous.call("POST", bad + "/unsubscribe", "", headers=FORM).status == 404


@pytest.mark.usefixtures("frozen_clock")
def test_preference_changes_are_rate_limited(
        tenant: Any, anonymous: Api, outbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.services.notifications import email_preferences

    monkeypatch.setattr(email_preferences, "PER_LINK", 3)
    _, message = _emailed(tenant, outbox)
    path = _prefs_path(message)
    statuses = [anonymous.call("POST", path, '{"marketing": false}',
                               headers={"Content-Type": "application/json", **JSON}).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
