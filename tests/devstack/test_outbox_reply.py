"""The outbox's Reply: an email with a Reply-To can be answered from the outbox page, and the
answer goes through S3 → SQS → the event pump → `inbound_mail_worker`, as a reply does in the cloud."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.services.notifications.mail import Email, send
from devstack.outbox import outbox_url, start_outbox_server
from tests.conftest import Api
from tests.support.messaging import talk


@pytest.fixture
def outbox_view(outbox: Any) -> Iterator[str]:
    server = start_outbox_server(0)
    yield outbox_url(server)
    server.shutdown()
    server.server_close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any) -> None:
        return None


def _post(url: str, fields: dict[str, str], origin: str | None = None) -> int:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), method="POST",
                                     headers={"Origin": origin} if origin else {})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=10) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as e:
        return e.code


def _pump_inbound_mail(aws: Any) -> int:
    """What `make dev`'s event pump does for the inbound-mail queue, until it is empty."""
    from app import app
    from chalicelib.aws import sqs
    from chalicelib.config import settings
    from devstack.pump import EventPump, sqs_bindings

    bindings = [b for b in sqs_bindings(app, aws.queue_urls(), sqs())  # every queue: sqs_bindings wants them all
                if b.queue_url == settings().inbound_mail_queue_url]
    pump = EventPump(sqs(), bindings, wait_seconds=0)
    handled = 0
    while count := pump.poll_once(bindings[0]):
        handled += count
    return handled


def test_replying_in_the_outbox_appends_to_the_conversation(tenant: Any, anonymous: Api, outbox_view: str,
                                                             aws: Any) -> None:
    from chalicelib.store.notifications import contact_recipient, list_inbox
    from tests.workers.conftest import inbound_mail_worker

    inbound_mail_worker.discard()
    t = talk(tenant, anonymous, "Outbox Co", "olive@outbox.test")
    tenant.api.post("/api/v1/conversations", {"client_id": t.client_id, "text": "Here is the plan."})
    [note], _ = list_inbox(tenant.business_id, contact_recipient(t.client_id, t.contact_id), 10, None)
    # The email the notification turns into (services/notifications), with the contact's reply address.
    send(Email(to="olive@outbox.test", subject=note.title, text=f"{note.text}\n\nReply to this email to answer.",
               reply_to=str(note.reply_to)))
    send(Email(to="olive@outbox.test", subject="Your invoice", text="No Reply-To here"))
    with urllib.request.urlopen(outbox_view, timeout=10) as reply:
        page = reply.read().decode()
    assert page.count('data-testid="reply-form"') == 1
    message_id = page.split('name="message_id" value="', 1)[1].split('"', 1)[0]

    assert _post(outbox_view + "reply", {"message_id": message_id, "text": "Sounds good, go ahead."},
                 origin="https://evil.test") == 400
    assert _post(outbox_view + "reply", {"message_id": message_id.replace("&lt;", "<").replace("&gt;", ">"),
                                         "text": "Sounds good, go ahead."}) == 303
    assert _pump_inbound_mail(aws) >= 1
    texts = [m["text"] for m in t.view()["messages"]]
    assert texts == ["Here is the plan.", "Sounds good, go ahead."]
    assert t.view()["messages"][1]["via"] == "email"
