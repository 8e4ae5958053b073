"""Several things happening within 5 minutes reach each person as ONE email, by their choices.

The window's send arrives as a delayed message on the mail queue (`DelaySeconds=300`); the tests
hand the mail worker that message themselves (as Lambda would after the delay), at a clock moved on.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import Api, Tenant, unique_email
from tests.support.events import event

START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
JSON = {"Content-Type": "application/json", "Accept": "application/json"}


@pytest.fixture
def at() -> Iterator[Any]:
    """`at(minutes)`: the app's clock stands at START + minutes."""
    from chalicelib import clock

    def move(minutes: float) -> None:
        moment = START + timedelta(minutes=minutes)
        clock.use(lambda: moment)

    move(0)
    yield move
    clock.use(None)


@pytest.fixture
def studio(make_tenant: Any) -> Tenant:
    tenant: Tenant = make_tenant("Northwind Studio")
    assert tenant.api.patch("/api/v1/business", {"email": unique_email("team")}).status == 200
    return tenant


def _client(tenant: Tenant, *names: str) -> tuple[str, list[Any]]:
    from chalicelib.store.clients import list_contacts

    contacts = [{"name": n, "email": unique_email(n.lower())} for n in names]
    reply = tenant.api.post("/api/v1/clients", {"name": "Acme Ltd", "contacts": contacts})
    assert reply.status == 201, reply.body
    client_id = reply.json["client_id"]
    found = sorted(list_contacts(tenant.business_id, client_id), key=lambda c: names.index(c.name))
    return client_id, found


def _happens(tenant: Tenant, client_id: str, category: str, title: str, **fields: Any) -> None:
    from chalicelib.services.notifications.activity import CLIENT, Activity, record

    record(Activity(tenant.business_id, client_id, category, fields.pop("audience", CLIENT), title, **fields))


def _recipient(contact: Any) -> str:
    from chalicelib.store.notifications import contact_recipient

    return contact_recipient(contact.client_id, contact.contact_id)


def _delayed_message(tenant: Tenant, recipient: str) -> dict[str, Any]:
    """The mail queue message the window's first event queued (delayed), as Lambda delivers it."""
    import json

    from chalicelib.store.notifications import get_pending

    pending = get_pending(tenant.business_id, recipient)
    assert pending is not None, "no digest is pending"
    body = json.dumps({"digest": {"business_id": tenant.business_id, "recipient": recipient,
                                  "due_at": pending.due_at}})
    return event("sqs/mail_digest", Records=[{**event("sqs/mail_digest")["Records"][0], "body": body}])


def _deliver(sqs_event: dict[str, Any]) -> Any:
    from app import app
    from devstack.pump import LambdaContext

    return app.handler_map["mail_worker"](sqs_event, LambdaContext("mail_worker"))


def _delayed_on_queue() -> int:
    from chalicelib.aws import sqs
    from chalicelib.config import settings

    attributes = sqs().get_queue_attributes(QueueUrl=settings().mail_queue_url,
                                            AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"])


def test_three_events_in_five_minutes_are_one_email_and_a_later_one_is_another(
        studio: Tenant, outbox: Any, at: Any) -> None:
    client_id, (ada,) = _client(studio, "Ada")
    delayed = _delayed_on_queue()
    _happens(studio, client_id, "messages", "New message from Sam", text="Here are the first sketches.\nMore soon.",
             portal_path="projects/p1")
    assert _delayed_on_queue() == delayed + 1  # the first event queued the window's send, 5 minutes on
    at(2)
    _happens(studio, client_id, "approvals", "Logo v1 needs your approval", portal_path="projects/p1")
    at(4)
    _happens(studio, client_id, "files", "New file: Brand guide.pdf")
    assert _delayed_on_queue() == delayed + 1  # the others joined the window
    window = _delayed_message(studio, _recipient(ada))
    at(5)
    assert _deliver(window) == {"batchItemFailures": []}

    (email,) = outbox.to(ada.email)
    assert email.subject == "3 updates from Northwind Studio"
    assert "New message from Sam" in email.text and '"Here are the first sketches. More soon."' in email.text
    assert "Logo v1 needs your approval" in email.text and "New file: Brand guide.pdf" in email.text
    portal = [link for link in email.links if "/portal/" in link]
    # Each item's link, then the "See all" button's (the text part carries the button's link too).
    assert [urlsplit(link).path.split("/", 3)[3] for link in portal] == ["projects/p1", "projects/p1", "notifications",
                                                                         "notifications"]
    assert "Reply-To" not in email.headers

    _deliver(window)  # the same message again (SQS delivers at least once): nothing more
    at(6)
    _happens(studio, client_id, "milestones", "Milestone done: Wireframes")
    at(11)
    _deliver(_delayed_message(studio, _recipient(ada)))
    _, second = outbox.to(ada.email)
    assert second.subject == "1 update from Northwind Studio" and "Milestone done: Wireframes" in second.text
    assert "New message from Sam" not in second.text


def test_a_category_the_contact_turned_off_is_left_out(studio: Tenant, outbox: Any, anonymous: Api, at: Any) -> None:
    client_id, (ada,) = _client(studio, "Ada")
    _happens(studio, client_id, "messages", "New message from Sam")
    _deliver(_delayed_message(studio, _recipient(ada)))
    (first,) = outbox.to(ada.email)
    prefs = next(link for link in first.links if "/email-preferences/" in link)
    assert anonymous.call("POST", urlsplit(prefs).path, '{"files": false}', headers=JSON).status == 200

    at(10)
    _happens(studio, client_id, "files", "New file: Invoice scan.pdf")
    _happens(studio, client_id, "messages", "New message from Kim")
    _deliver(_delayed_message(studio, _recipient(ada)))
    _, second = outbox.to(ada.email)
    assert second.subject == "1 update from Northwind Studio"
    assert "New message from Kim" in second.text and "Invoice scan.pdf" not in second.text


def test_one_click_unsubscribe_turns_off_only_the_categories_in_that_email(
        studio: Tenant, outbox: Any, anonymous: Api) -> None:
    client_id, (ada,) = _client(studio, "Ada")
    _happens(studio, client_id, "approvals", "Logo v1 needs your approval")
    _happens(studio, client_id, "messages", "New message from Sam")
    _deliver(_delayed_message(studio, _recipient(ada)))
    (email,) = outbox.to(ada.email)
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = email.headers["List-Unsubscribe"].strip("<>")
    assert url.endswith("/unsubscribe?categories=messages,approvals")

    reply = anonymous.call("POST", url.removeprefix("https://pay.example.test"), "List-Unsubscribe=One-Click",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 200
    assert reply.json == {"documents": True, "reminders": True, "marketing": False, "messages": False,
                          "approvals": False, "decisions": True, "milestones": True, "invoices": True, "files": True}
    # The preferences page still offers every kind, the two just turned off included.
    page = anonymous.get(urlsplit(url).path.removesuffix("/unsubscribe")).text
    assert 'name="messages" value="false" checked' in page and 'name="decisions" value="true" checked' in page


def test_a_made_up_category_in_the_unsubscribe_link_changes_nothing(
        studio: Tenant, outbox: Any, anonymous: Api) -> None:
    client_id, (ada,) = _client(studio, "Ada")
    _happens(studio, client_id, "files", "New file")
    _deliver(_delayed_message(studio, _recipient(ada)))
    url = outbox.to(ada.email)[0].headers["List-Unsubscribe"].strip("<>").removeprefix("https://pay.example.test")
    bad = url.replace("categories=files", "categories=files,marketing")
    assert anonymous.call("POST", bad, "List-Unsubscribe=One-Click").status == 400
    assert anonymous.get(url.partition("/unsubscribe")[0], headers=JSON).json["files"] is True


def test_two_deliveries_of_the_same_window_at_once_send_one_email(studio: Tenant, outbox: Any) -> None:
    client_id, (ada,) = _client(studio, "Ada")
    for n in range(3):
        _happens(studio, client_id, "messages", f"Message {n}")
    window = _delayed_message(studio, _recipient(ada))
    start = threading.Barrier(2)
    replies: list[Any] = []

    def deliver() -> None:
        start.wait()
        replies.append(_deliver(window))

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert replies == [{"batchItemFailures": []}] * 2
    (email,) = outbox.to(ada.email)
    assert email.subject == "3 updates from Northwind Studio"


def test_a_removed_contact_gets_no_digest_and_the_others_do(studio: Tenant, outbox: Any) -> None:
    client_id, (ada, bob) = _client(studio, "Ada", "Bob")
    _happens(studio, client_id, "files", "New file: Brand guide.pdf")
    windows = [_delayed_message(studio, _recipient(c)) for c in (ada, bob)]
    assert studio.api.delete(f"/api/v1/clients/{client_id}/contacts/{ada.contact_id}").status in (200, 204)
    for window in windows:
        _deliver(window)
    assert outbox.to(ada.email) == [] and len(outbox.to(bob.email)) == 1


def test_the_reply_address_is_the_latest_message_s(studio: Tenant, outbox: Any) -> None:
    client_id, (ada,) = _client(studio, "Ada")
    _happens(studio, client_id, "messages", "New message from Sam", reply_to="reply+first@in.paydrop.test")
    _happens(studio, client_id, "files", "New file")
    _happens(studio, client_id, "messages", "New message from Kim", reply_to="reply+latest@in.paydrop.test")
    _deliver(_delayed_message(studio, _recipient(ada)))
    (email,) = outbox.to(ada.email)
    assert email.headers["Reply-To"] == "reply+latest@in.paydrop.test"


def test_the_team_digest_goes_to_the_business_address_with_dashboard_links(studio: Tenant, outbox: Any) -> None:
    from chalicelib.services.notifications.activity import STAFF
    from chalicelib.store.businesses import get_business
    from chalicelib.store.notifications import STAFF as TEAM

    client_id, _ = _client(studio, "Ada")
    _happens(studio, client_id, "decisions", "Ada approved Logo v2", audience=STAFF,
             staff_path="/dashboard/projects/p1", reply_to="reply+ada@in.paydrop.test")
    _happens(studio, client_id, "messages", "New message from Ada", audience=STAFF, text="Looks good!",
             reply_to="reply+ada@in.paydrop.test")
    _deliver(_delayed_message(studio, TEAM))
    business = get_business(studio.business_id)
    assert business is not None and business.email
    (email,) = outbox.to(business.email)
    assert email.subject == "2 updates from Northwind Studio"
    assert "https://pay.example.test/app/#/projects/p1" in email.text
    assert email.headers["Reply-To"] == "reply+ada@in.paydrop.test"
    assert "List-Unsubscribe" not in email.headers


def test_the_scheduler_sends_windows_whose_message_never_came_and_only_those(studio: Tenant, outbox: Any,
                                                                             at: Any) -> None:
    from chalicelib.services.notifications import digests

    client_id, (ada,) = _client(studio, "Ada")
    _happens(studio, client_id, "files", "New file: Brand guide.pdf")
    at(3)
    assert digests.send_due(START + timedelta(minutes=3))["failed"] == 0
    assert outbox.to(ada.email) == []  # its window is still open
    at(65)
    digests.send_due(START + timedelta(minutes=65))
    assert [m.subject for m in outbox.to(ada.email)] == ["1 update from Northwind Studio"]


def test_an_email_ses_refuses_is_sent_on_the_retry(studio: Tenant, outbox: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.domain.errors import Unavailable
    from chalicelib.services.notifications import mail

    client_id, (ada,) = _client(studio, "Ada")
    _happens(studio, client_id, "files", "New file: Brand guide.pdf")
    window = _delayed_message(studio, _recipient(ada))
    real = mail.send

    def refuse(email: Any) -> None:
        raise Unavailable("SES is down")

    monkeypatch.setattr(mail, "send", refuse)
    with pytest.raises(Unavailable):  # the whole batch failed: SQS delivers it again
        _deliver(window)
    monkeypatch.setattr(mail, "send", real)
    assert _deliver(window) == {"batchItemFailures": []}
    assert [m.subject for m in outbox.to(ada.email)] == ["1 update from Northwind Studio"]


def test_a_suppressed_address_gets_no_digest(studio: Tenant, outbox: Any) -> None:
    from chalicelib.store import suppressions

    client_id, (ada,) = _client(studio, "Ada")
    suppressions.record(ada.email, "bounce", "mailbox does not exist", "2026-12-01T11:00:00Z", None)
    _happens(studio, client_id, "files", "New file: Brand guide.pdf")
    assert _deliver(_delayed_message(studio, _recipient(ada))) == {"batchItemFailures": []}
    assert outbox.to(ada.email) == []


def test_a_short_digest_keeps_its_non_ascii_text(studio: Tenant, outbox: Any) -> None:
    """Short lines go out 8bit (UTF-8 as is): the text arrives as written, em dash and umlauts."""
    from chalicelib.services.notifications.activity import STAFF
    from chalicelib.store.businesses import get_business
    from chalicelib.store.notifications import STAFF as TEAM

    client_id, _ = _client(studio, "Ada")
    _happens(studio, client_id, "messages", "Nachricht von Jürgen", text="Grüße aus Köln", audience=STAFF)
    _deliver(_delayed_message(studio, TEAM))
    business = get_business(studio.business_id)
    assert business is not None and business.email
    (email,) = outbox.to(business.email)
    assert "Nachricht von Jürgen" in email.text and '"Grüße aus Köln"' in email.text and "\n—\n" in email.text


def test_an_event_that_joins_while_the_digest_is_gathered_is_in_it(studio: Tenant, outbox: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The claim is conditional on the window's event count: a note recorded between the gather and
    the claim makes the send gather again, so it is neither lost nor left for a later window."""
    from chalicelib.services.notifications import digests

    client_id, (ada,) = _client(studio, "Ada")
    _happens(studio, client_id, "files", "New file: Brand guide.pdf")
    window = _delayed_message(studio, _recipient(ada))
    real, joined = digests.compose, []

    def compose_then_join(*args: Any) -> Any:
        composed = real(*args)
        if not joined:
            joined.append(True)
            _happens(studio, client_id, "messages", "New message from Sam")
        return composed

    monkeypatch.setattr(digests, "compose", compose_then_join)
    _deliver(window)
    (email,) = outbox.to(ada.email)
    assert email.subject == "2 updates from Northwind Studio" and "New message from Sam" in email.text
