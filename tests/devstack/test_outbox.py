"""The `make dev` outbox page: lists what was sent, newest first, with mail content escaped."""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.services.notifications.mail import Email, send
from devstack.outbox import outbox_url, start_outbox_server


@pytest.fixture
def outbox_view(outbox: Any) -> Iterator[str]:
    server = start_outbox_server(0)
    yield outbox_url(server)
    server.shutdown()
    server.server_close()


def fetch(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=10) as reply:
        return reply.headers["Content-Type"], reply.read().decode()


def test_the_outbox_page_lists_sent_mail_newest_first_and_escaped(outbox_view: str) -> None:
    send(Email(to="first@acme.test", subject="Older", text="nothing here"))
    send(Email(to="ada@acme.test", subject="<script>alert(1)</script> invoice",
               text='Pay <b>now</b>: https://pay.example.test/invoice/tok?a=1&b="2"', html="<p>Pay</p>"))

    kind, page = fetch(outbox_view)

    assert kind.startswith("text/html")
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; invoice" in page and "&lt;b&gt;now&lt;/b&gt;" in page
    assert '<a href="https://pay.example.test/invoice/tok?a=1&amp;b=">' in page
    assert "ada@acme.test" in page
    assert page.index("invoice") < page.index("Older")


def test_the_outbox_json_lists_the_same_messages(outbox_view: str) -> None:
    send(Email(to="ada@acme.test", subject="Sign in", text="Open https://pay.example.test/s/t"))

    kind, body = fetch(outbox_view + "messages.json")

    assert kind == "application/json"
    (message,) = json.loads(body)
    assert message["to"] == ["ada@acme.test"] and message["subject"] == "Sign in"
    assert message["links"] == ["https://pay.example.test/s/t"]


def test_anything_else_is_404(outbox_view: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as error:
        fetch(outbox_view + "nope")
    assert error.value.code == 404


def test_the_html_part_is_drawn_in_a_sandboxed_frame_beside_the_text(outbox_view: str) -> None:
    send(Email(to="ada@acme.test", subject="Invoice", text="Pay: https://pay.example.test/i",
               html='<p style="color:red">Pay <a href="https://pay.example.test/i">here</a></p><script>x()</script>'))

    _, page = fetch(outbox_view)

    [frame] = re.findall(r"<iframe [^>]*>", page)
    assert 'sandbox=""' in frame  # no scripts, no same origin, no forms
    # The whole HTML part sits escaped in srcdoc: the outbox page itself runs and draws none of it.
    assert 'srcdoc="&lt;p style=&quot;color:red&quot;&gt;Pay' in frame and "<script>" not in page
    assert page.index("<h3>HTML</h3>") < page.index("<h3>Text</h3>") < page.index("Pay: <a href")
