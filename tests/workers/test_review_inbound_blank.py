"""Adversarial review: an email reply whose new text is nothing a message can hold (only
control or zero-width characters) is dropped like an empty reply, not retried into the DLQ."""
from __future__ import annotations

import logging

import pytest

from tests.support.inbound import raw_mail, store_mail
from tests.support.messaging import Talk
from tests.workers.conftest import inbound_mail_worker


@pytest.mark.parametrize("body", [b"\x01\x02\x7f", "\u200b\u200d".encode()])
def test_a_reply_with_nothing_to_show_is_dropped_not_failed(conversation: tuple[Talk, str], body: bytes,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    t, reply_to = conversation
    raw = raw_mail("reply_apple", "pat@portal.test", reply_to).replace(
        b"Content-Type: text/plain; charset=us-ascii", b"Content-Type: text/plain; charset=utf-8")
    raw = raw.replace(b"Looks great.", body)
    assert body in raw
    with caplog.at_level(logging.WARNING, logger="paydrop"):
        store_mail(raw)
        assert inbound_mail_worker.drain() == 1  # handled: no error, nothing left to retry
    assert [m["text"] for m in t.view()["messages"]] == ["Second draft attached"]
    assert any("dropped" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
