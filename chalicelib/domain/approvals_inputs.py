"""What staff and contacts send about deliverables (shapes in the style of `domain/inputs.py`)."""
from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from chalicelib.domain.approvals import MAX_COMMENT
from chalicelib.domain.inputs import Id, Name, Strict

# Line breaks arrive as CRLF from forms: the raw text may be longer; `domain.approvals.plain_text`
# checks the cleaned text against MAX_COMMENT.
Comment = Annotated[str, Meta(max_length=MAX_COMMENT * 2)]
RequiredComment = Annotated[str, Meta(min_length=1, max_length=MAX_COMMENT * 2)]
VersionNumber = Annotated[str, Meta(pattern=r"^[1-9][0-9]{0,3}\Z", extra={"means": "a version number"})]


class DeliverableInput(Strict, kw_only=True):
    """Mark a file attached to a project as needing the client's approval."""

    resource_id: Id
    project_id: Id
    milestone_id: Id | None = None
    title: Name | None = None  # default: the file's title (one line, like every title the client reads)


class DeliverableCommentInput(Strict, kw_only=True):
    """A comment on the current version (staff through the API, a contact through the portal)."""

    text: RequiredComment


class DeliverableDecisionInput(Strict, kw_only=True):
    """A contact's approval or request for changes (form fields arrive as text)."""

    # The version the page showed (a newer one is never decided unseen): text from a form, and the
    # number the JSON page gives from JSON.
    version: VersionNumber | Annotated[int, Meta(ge=1, le=9999)]
    comment: Comment | None = None
