"""Message text rules and email reply parsing: pure, fast."""
from __future__ import annotations

import pytest

from chalicelib.domain import inbound_mail
from chalicelib.domain import messages as rules
from chalicelib.domain.errors import ValidationError


def test_text_becomes_escaped_html_with_only_links() -> None:
    html = rules.to_html('<img src=x onerror=alert(1)> see https://a.test/x?y=1&z=2. or (http://b.test/p)')
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<a href="https://a.test/x?y=1&amp;z=2" rel="noopener nofollow ugc" target="_blank">' in html
    assert '<a href="http://b.test/p" rel="noopener nofollow ugc" target="_blank">http://b.test/p</a>)' in html
    assert rules.to_html("javascript:alert(1) https://") == "javascript:alert(1) https://"
    assert rules.to_html('https://x.test/"onmouseover="x') .count("<a ") == 1
    assert 'onmouseover="' not in rules.to_html('https://x.test/"onmouseover="x')


def test_the_limit_counts_characters_after_line_endings_are_unified() -> None:
    assert rules.clean_text("a" * 10_000) == "a" * 10_000
    with pytest.raises(ValidationError, match="10,000"):
        rules.clean_text("a" * 10_001)
    assert len(rules.clean_text("ab\r\n" * 2500)) == 3 * 2500 - 1  # 10,000 sent, 7,499 kept
    assert rules.clean_text("\n\n  hi\x00 \n\n") == "  hi"
    with pytest.raises(ValidationError):
        rules.clean_text(" \n ")
    assert rules.clean_text("", attachments=1) == ""


def test_previews_are_one_short_line() -> None:
    assert rules.preview("a\nb   c") == "a b c"
    assert len(rules.preview("word " * 100)) == rules.PREVIEW
    assert rules.preview("", 2) == "2 files attached"


@pytest.mark.parametrize(("body", "expected"), [
    ("Yes.\n\nOn Mon, 30 Nov 2026 at 09:00, Team <t@x.test> wrote:\n> old", "Yes."),
    ("Yes.\nOn Mon, 30 Nov 2026 at 09:00, A Very Long Team Name\n<t@x.test> wrote:\n> old", "Yes."),
    ("Fine\n-----Original Message-----\nFrom: x", "Fine"),
    ("Ok\n\n-- \nPat\nCEO", "Ok"),
    ("Ok\n\nSent from my iPhone", "Ok"),
    ("Top\n> quoted\nbottom", "Top\nbottom"),
    ("On second thought, yes.", "On second thought, yes."),
])
def test_only_the_new_words_of_a_reply_are_kept(body: str, expected: str) -> None:
    assert inbound_mail.new_text(body) == expected


def test_an_html_only_reply_loses_its_blockquote() -> None:
    raw = (b"From: Pat <pat@p.test>\r\nTo: reply+" + b"a" * 52 + b"@reply.test\r\nMessage-ID: <1@p.test>\r\n"
           b"Content-Type: text/html; charset=utf-8\r\n\r\n<div>Works for me</div><blockquote>old text</blockquote>")
    reply = inbound_mail.parse(raw)
    assert reply.text == "Works for me" and reply.sender == "pat@p.test" and not reply.spam
    assert inbound_mail.token_in(reply.recipients, "REPLY.test") == "a" * 52


def test_a_token_is_found_only_in_our_domain_and_shape() -> None:
    token = "b" * 52
    assert inbound_mail.token_in([f"reply+{token}@other.test"], "reply.test") is None
    assert inbound_mail.token_in(["reply+short@reply.test"], "reply.test") is None
    assert inbound_mail.token_in(["x@y.test", f"REPLY+{token.upper()}@Reply.Test"], "reply.test") == token
