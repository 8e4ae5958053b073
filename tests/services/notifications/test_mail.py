"""Transactional email: a proper MIME message through SES, no header injection, no secrets in logs."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.domain.errors import Unavailable, ValidationError
from chalicelib.services.notifications.mail import Email, send

SIGN_IN = "https://pay.example.test/portal/sign-in?token=one-time-secret-abc"


def test_a_sent_email_arrives_parsed_with_every_header(outbox: Any) -> None:
    from chalicelib.config import settings

    message_id = send(Email(
        to="Ada Lovelace <ada@acme.test>",
        subject="Rechnung INV-0001 für Acme",
        text=f"Hello Ada,\n\nsign in: {SIGN_IN}\n",
        html=f'<p>Hello Ada, <a href="{SIGN_IN}">sign in</a></p>',
        headers={
            "List-Unsubscribe": "<https://pay.example.test/unsubscribe/t>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ))

    assert message_id
    (sent,) = outbox.to("ADA@acme.test")
    assert sent.to == ["ada@acme.test"]
    assert sent.headers["From"] == settings().mail_from
    assert sent.subject == "Rechnung INV-0001 für Acme"
    assert sent.text == f"Hello Ada,\n\nsign in: {SIGN_IN}\n"
    assert sent.html is not None and f'href="{SIGN_IN}"' in sent.html
    assert sent.headers["List-Unsubscribe"] == "<https://pay.example.test/unsubscribe/t>"
    assert sent.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent.headers["Message-ID"].endswith("@mail.paydrop.test>")
    assert "Date" in sent.headers


def test_text_only_email_has_no_html_part(outbox: Any) -> None:
    send(Email(to="bob@acme.test", subject="Plain", text="Just text."))
    (sent,) = outbox.messages()
    assert (sent.text, sent.html) == ("Just text.\n", None)


def test_links_are_extracted_in_order_without_trailing_punctuation(outbox: Any) -> None:
    send(Email(to="ada@acme.test", subject="Links", text=f"First {SIGN_IN}.\nThen (http://x.test/b), done."))
    (sent,) = outbox.messages()
    assert sent.links == [SIGN_IN, "http://x.test/b"]


@pytest.mark.parametrize(
    "email",
    [
        Email(to="ada@acme.test\r\nBcc: eve@evil.test", subject="Hi", text="x"),
        Email(to="ada@acme.test, eve@evil.test", subject="Hi", text="x"),
        Email(to="not-an-address", subject="Hi", text="x"),
        Email(to="ada@acme.test", subject="Hi\nBcc: eve@evil.test", text="x"),
        Email(to="ada@acme.test", subject="Hi\r", text="x"),
        Email(to="ada@acme.test", subject="Hi", text="x", headers={"X-Note": "a\r\nBcc: eve@evil.test"}),
        Email(to="ada@acme.test", subject="Hi", text="x", headers={"Bcc: eve@evil.test\r\nX": "y"}),
        Email(to="ada@acme.test", subject="Hi", text="x", headers={"From": "ceo@acme.test"}),
    ],
    ids=["to-crlf", "to-two-addresses", "to-no-address", "subject-lf", "subject-cr", "header-value-crlf",
         "header-name", "header-replaces-from"],
)
def test_header_injection_is_refused_and_nothing_is_sent(outbox: Any, email: Email) -> None:
    with pytest.raises(ValidationError):
        send(email)
    assert outbox.messages() == []


def test_the_log_line_names_the_domain_and_subject_only(outbox: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="paydrop.mail"):
        send(Email(to="ada.private@acme.test", subject="Your sign-in link", text=f"Open {SIGN_IN}",
                   html=f'<a href="{SIGN_IN}">Open</a>'))
    (record,) = [r for r in caplog.records if r.name == "paydrop.mail"]
    line = record.getMessage()
    assert "acme.test" in line and "Your sign-in link" in line
    assert "ada.private" not in line
    assert "one-time-secret" not in line and SIGN_IN not in line and "Open" not in line


@pytest.fixture
def unverified_sender(aws: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from chalicelib.config import reset_settings

    monkeypatch.setenv("MAIL_FROM", "Paydrop <no-reply@unverified.test>")
    reset_settings()
    yield
    monkeypatch.undo()
    reset_settings()


def test_ses_refusing_the_message_is_unavailable(outbox: Any, unverified_sender: None) -> None:
    with pytest.raises(Unavailable):
        send(Email(to="ada@acme.test", subject="Hi", text="x"))
    assert outbox.messages() == []


def test_mail_is_sent_with_the_stacks_configuration_set(outbox: Any) -> None:
    """SES publishes a message's bounce or complaint only through the configuration set it was sent with."""
    from chalicelib.aws import ses
    from chalicelib.config import settings

    sent: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    assert settings().ses_configuration_set  # the local stack's, from infra/resources.json
    ses().meta.events.register("provide-client-params.ses.SendRawEmail", record)
    try:
        send(Email(to="ada@acme.test", subject="Hi", text="x"))
    finally:
        ses().meta.events.unregister("provide-client-params.ses.SendRawEmail", record)
    assert [p.get("ConfigurationSetName") for p in sent] == [settings().ses_configuration_set]
    assert len(outbox.messages()) == 1


def test_reply_to_is_one_address_on_one_line(outbox: Any) -> None:
    send(Email(to="ada@acme.test", subject="Reply here", text="Hi", reply_to="Team <reply+k1@in.paydrop.test>"))
    (sent,) = outbox.messages()
    assert sent.headers["Reply-To"] == "Team <reply+k1@in.paydrop.test>"
    for bad in ("a@x.test, b@x.test", "a@x.test\r\nBcc: c@x.test", "not an address"):
        with pytest.raises(ValidationError):
            send(Email(to="ada@acme.test", subject="Reply here", text="Hi", reply_to=bad))
    with pytest.raises(ValidationError):
        send(Email(to="ada@acme.test", subject="x", text="Hi", headers={"Reply-To": "c@x.test"}))


def test_a_queued_email_keeps_its_reply_to(outbox: Any) -> None:
    from chalicelib.services.notifications.mail import enqueue

    enqueue(Email(to="ada@acme.test", subject="Queued", text="Hi", reply_to="reply+k2@in.paydrop.test"))
    (sent,) = outbox.messages()
    assert sent.headers["Reply-To"] == "reply+k2@in.paydrop.test"
