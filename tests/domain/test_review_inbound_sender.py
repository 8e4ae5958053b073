"""Adversarial review: which From address an inbound reply is from, and whether SES
authenticated it. A forged From header must never count as the contact's."""
from __future__ import annotations

import pytest

from chalicelib.domain.inbound_mail import authenticated, parse

SES_PASS = ("amazonses.com;\r\n spf=pass (spfCheck: domain of portal.test designates 203.0.113.1 as permitted sender)"
            " client-ip=203.0.113.1; envelope-from=pat@portal.test; helo=mx.portal.test;\r\n"
            " dkim=pass header.i=@portal.test;\r\n dmarc=pass header.from=portal.test;")
# What SES writes when mallory's server sends a message whose From says pat@portal.test.
SES_FORGED = ("amazonses.com; spf=pass (spfCheck: domain of evil.test designates 198.51.100.7 as permitted sender)"
              " client-ip=198.51.100.7; envelope-from=mallory@evil.test; helo=mx.evil.test;"
              " dkim=pass header.i=@evil.test; dmarc=fail header.from=portal.test;")


def _raw(from_header: str, *auth: str) -> bytes:
    lines = [f"Authentication-Results: {a}" for a in auth]
    lines += [f"From: {from_header}", "To: reply+abc@reply.test", "Message-ID: <1@x>", "Subject: Re: hi", "", "Hello"]
    return "\r\n".join(lines).encode()


def test_a_reply_ses_authenticated_counts() -> None:
    reply = parse(_raw("Pat <pat@portal.test>", SES_PASS))
    assert (reply.sender, reply.authenticated) == ("pat@portal.test", True)


@pytest.mark.parametrize("auth", [
    (SES_FORGED,),  # envelope and DKIM are mallory's; DMARC fails for portal.test
    (),  # no verdict at all
    ("mx.evil.test; dmarc=pass header.from=portal.test",),  # not SES's verdict
    (SES_FORGED, SES_PASS),  # the sender's own "pass" below SES's (SES prepends its header)
    ("amazonses.com; spf=pass envelope-from=x@notportal.test; dkim=pass header.i=@portal.test.evil.test",),
])
def test_a_forged_from_is_not_authenticated(auth: tuple[str, ...]) -> None:
    reply = parse(_raw("Pat <pat@portal.test>", *auth))
    assert reply.sender == "pat@portal.test" and reply.authenticated is False


@pytest.mark.parametrize("from_header", [
    "pat@portal.test, mallory@evil.test",  # two addresses: Python's parseaddr takes the first
    "pat@portal.test <mallory@evil.test>",  # an unquoted address as display name: reads either way
    "mallory@evil.test <pat@portal.test>",
    "pat@portal.test@evil.test",
])
def test_a_from_header_naming_no_single_sender_names_none(from_header: str) -> None:
    reply = parse(_raw(from_header, SES_PASS))
    assert (reply.sender, reply.authenticated) == ("", False)


def test_two_from_headers_name_no_sender() -> None:
    raw = _raw("pat@portal.test", SES_PASS).replace(b"From: pat@portal.test", b"From: pat@portal.test\r\nFrom: m@evil.test")
    assert parse(raw).sender == ""


def test_a_display_name_that_looks_like_an_address_is_only_a_name() -> None:
    assert parse(_raw('"pat@portal.test" <mallory@evil.test>', SES_PASS)).sender == "mallory@evil.test"


@pytest.mark.parametrize(("results", "sender", "expected"), [
    ("amazonses.com; spf=pass envelope-from=bounce@mail.portal.test; dkim=none; dmarc=none", "pat@portal.test", True),
    ("amazonses.com; spf=fail envelope-from=pat@portal.test; dkim=pass header.i=@mail.portal.test", "pat@portal.test", True),
    ("amazonses.com; spf=softfail envelope-from=pat@portal.test; dkim=fail header.i=@portal.test; dmarc=none",
     "pat@portal.test", False),
    ("amazonses.com; spf=pass smtp.mailfrom=pat@portal.test", "pat@portal.test", True),
    ("amazonses.com; dkim=pass header.d=evilportal.test", "pat@portal.test", False),
])
def test_alignment(results: str, sender: str, expected: bool) -> None:
    assert authenticated(results, sender) is expected
