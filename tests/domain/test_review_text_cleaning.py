"""Adversarial review: messages and deliverable comments drop bidi overrides and isolates (and C1
controls) as they drop other control characters: "invoice‮fdp.exe" shows reversed as
"invoiceexe.pdf", and a link's shown text would not be where it goes. Right-to-left scripts
themselves are kept."""
from __future__ import annotations

import pytest

from chalicelib.domain.approvals import plain_text
from chalicelib.domain.messages import clean_text

TRICKS = ["invoice\u202efdp.exe", "see https://pay.example.test/\u202etset.live", "a\u2066b\u2069c\u202ad\u202c",
          "c1\x85\x9bhere"]


@pytest.mark.parametrize("text", TRICKS)
def test_messages_and_comments_drop_direction_overrides(text: str) -> None:
    for cleaned in (clean_text(text), plain_text(text, "comment", required=True)):
        assert cleaned is not None
        assert not any(0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 or 0x80 <= ord(ch) <= 0x9F
                       for ch in cleaned)


def test_right_to_left_writing_is_kept() -> None:
    assert clean_text("שלום, مرحبا") == "שלום, مرحبا"
    assert plain_text("שלום, مرحبا", "comment", required=False) == "שלום, مرحبا"
