"""Approval rules: comments are plain text within limits, changes need one, a version's status."""
from __future__ import annotations

import pytest

from chalicelib.domain import approvals as rules
from chalicelib.domain.errors import Conflict, ValidationError


def test_a_comment_is_plain_text_trimmed_with_one_kind_of_line_break() -> None:
    assert rules.plain_text("  Bigger\r\nlogo\rplease\x07 ", "comment", required=True) == "Bigger\nlogo\nplease"
    assert rules.plain_text("<b>bold</b>", "comment", required=True) == "<b>bold</b>"  # kept as text, escaped on pages
    assert rules.plain_text("   ", "comment", required=False) is None


def test_requesting_changes_needs_a_comment_of_at_most_5000_characters() -> None:
    with pytest.raises(ValidationError) as empty:
        rules.check_decision(rules.CHANGES_REQUESTED, " \n ")
    assert empty.value.field == "comment"
    assert rules.check_decision(rules.APPROVED, None) is None
    assert rules.check_decision(rules.CHANGES_REQUESTED, "x" * 5000) == "x" * 5000
    with pytest.raises(ValidationError, match="5,001 characters; at most 5,000"):
        rules.check_decision(rules.APPROVED, "x" * 5001)
    with pytest.raises(ValidationError):
        rules.check_decision("maybe", "x")


def test_a_version_shows_its_decision_else_pending_while_current_else_superseded() -> None:
    assert rules.version_status(rules.APPROVED, 1, 2) == rules.APPROVED
    assert rules.version_status(None, 2, 2) == rules.PENDING
    assert rules.version_status(None, 1, 2) == rules.SUPERSEDED


def test_only_the_current_undecided_version_can_be_decided() -> None:
    rules.check_version_open(2, 2, None, None)
    with pytest.raises(Conflict, match="already approved by Pat"):
        rules.check_version_open(2, 2, "Pat", rules.APPROVED)
    with pytest.raises(Conflict, match="newer version"):
        rules.check_version_open(1, 2, None, None)
