"""Adversarial review: a leaked reply address used with a forged From header. SES tells us the
message came from mallory's server (SPF/DKIM for evil.test, DMARC fail for portal.test); the
worker must drop it rather than post it as Pat."""
from __future__ import annotations

import logging

import pytest

from tests.support.inbound import raw_mail, store_mail
from tests.support.messaging import Talk
from tests.workers.conftest import inbound_mail_worker

FORGED = (b"Authentication-Results: amazonses.com;\r\n spf=pass (spfCheck: domain of evil.test designates 198.51.100.7"
          b" as permitted sender) client-ip=198.51.100.7; envelope-from=mallory@evil.test; helo=mx.evil.test;\r\n"
          b" dkim=pass header.i=@evil.test;\r\n dmarc=fail header.from=portal.test;\r\n")



def _forged(reply_to: str) -> bytes:
    """Pat's reply as mallory's server sends it: SES's verdict on top, the sample's own below it."""
    return FORGED + raw_mail("reply_gmail", "pat@portal.test", reply_to).replace(
        b"Authentication-Results:", b"X-Original-Authentication-Results:", 1)


def test_a_forged_from_with_a_leaked_reply_address_is_dropped(conversation: tuple[Talk, str],
                                                              caplog: pytest.LogCaptureFixture) -> None:
    t, reply_to = conversation
    with caplog.at_level(logging.WARNING, logger="paydrop"):
        store_mail(_forged(reply_to))
        inbound_mail_worker.drain()
    assert [m["text"] for m in t.view()["messages"]] == ["Second draft attached"]
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "did not authenticate" in warning and reply_to not in warning


def test_a_from_with_two_addresses_is_dropped(conversation: tuple[Talk, str]) -> None:
    t, reply_to = conversation
    raw = raw_mail("reply_gmail", "pat@portal.test", reply_to).replace(
        b"From: Pat Portal <pat@portal.test>", b"From: pat@portal.test, mallory@evil.test")
    assert b"mallory@evil.test" in raw
    store_mail(raw)
    inbound_mail_worker.drain()
    assert [m["text"] for m in t.view()["messages"]] == ["Second draft attached"]


def test_the_real_reply_still_arrives(conversation: tuple[Talk, str]) -> None:
    t, reply_to = conversation
    store_mail(raw_mail("reply_gmail", "pat@portal.test", reply_to))
    inbound_mail_worker.drain()
    assert [m["text"] for m in t.view()["messages"]][-1].startswith("Thanks")
