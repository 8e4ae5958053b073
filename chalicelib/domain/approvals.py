"""Rules of deliverable approvals: statuses, who may decide what, and what a comment may hold.
Pure: no AWS, no clock."""
from __future__ import annotations

import re

from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.messages import is_visible

PENDING, APPROVED, CHANGES_REQUESTED = "pending", "approved", "changes_requested"
STATUSES = (PENDING, APPROVED, CHANGES_REQUESTED)
DECISIONS = (APPROVED, CHANGES_REQUESTED)
SUPERSEDED = "superseded"  # an older version nobody decided on before the next one came
MAX_COMMENT = 5_000
MAX_TITLE = 200
CONTACT, STAFF = "contact", "staff"
LABELS = {PENDING: "Awaiting approval", APPROVED: "Approved", CHANGES_REQUESTED: "Changes requested",
          SUPERSEDED: "Replaced by a newer version"}
# Control characters other than tab and newline: invisible, and they break emails and logs.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")  # and bidi overrides


def plain_text(text: str | None, field: str, required: bool) -> str | None:
    """A comment as stored: newlines normalised, control characters removed, trimmed; plain
    text always (pages escape it, nothing ever renders it as HTML)."""
    cleaned = _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not is_visible(cleaned):
        if required:
            raise ValidationError("Say what should change: the comment is required.", field=field)
        return None
    if len(cleaned) > MAX_COMMENT:
        raise ValidationError(f"The comment is {len(cleaned):,} characters; at most {MAX_COMMENT:,} are allowed.",
                              field=field)
    return cleaned


def check_decision(decision: str, comment: str | None) -> str | None:
    """The comment a decision keeps; changes need one."""
    if decision not in DECISIONS:
        raise ValidationError("Approve, or request changes.", field="decision")
    return plain_text(comment, "comment", required=decision == CHANGES_REQUESTED)


def version_status(decision: str | None, version: int, current_version: int) -> str:
    """What a version shows: its decision, pending while it is the current one, else superseded."""
    if decision:
        return decision
    return PENDING if version == current_version else SUPERSEDED


def check_version_open(version: int, current_version: int, decided_by: str | None, decision: str | None) -> None:
    """A decision is for the current, undecided version only (decisions are immutable)."""
    if decision:
        raise Conflict(already_decided(decision, decided_by))
    if version != current_version:
        raise Conflict("A newer version was uploaded since this page was opened; reload to see it.")


def already_decided(decision: str, decided_by: str | None) -> str:
    verb = "approved" if decision == APPROVED else "sent back with changes requested"
    return f"This version was already {verb} by {decided_by or 'another contact'}. Reload the page to see it."
