"""What a message sender may send (portal form, portal JSON, staff API). Unknown fields are refused.

The text's own limit (10,000 characters) is checked after line endings are unified
(`domain/messages.clean_text`): a browser sends a textarea's line breaks as CRLF, which must not
count twice. The decoder's cap here only stops absurd bodies early.
"""
from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from chalicelib.domain.inputs import Id, Strict
from chalicelib.domain.messages import MAX_ATTACHMENTS, MAX_TEXT

Text = Annotated[str, Meta(max_length=2 * MAX_TEXT)]


class PortalMessage(Strict, kw_only=True):
    """The portal's message form: `attachments` are the ids of files uploaded for it, comma-separated."""

    text: Text = ""
    attachments: Annotated[str, Meta(max_length=700, pattern=r"^[A-Za-z0-9_,-]*\Z",
                                     extra={"means": "attachment ids separated by commas"})] = ""

    def attachment_ids(self) -> list[str]:
        return [a for a in self.attachments.split(",") if a]


class StaffMessage(Strict, kw_only=True):
    """The dashboard's answer (its textarea sends LF line breaks: the limit is the message's own)."""

    text: Annotated[str, Meta(max_length=MAX_TEXT)] = ""
    attachments: Annotated[list[Id], Meta(max_length=MAX_ATTACHMENTS)] = msgspec.field(default_factory=list)


class ConversationStart(Strict, kw_only=True):
    """The team writes to a client's conversation (or one of its projects') from anywhere."""

    client_id: Id
    project_id: Id | None = None
    text: Annotated[str, Meta(max_length=MAX_TEXT)] = ""


class AttachmentSpec(Strict, kw_only=True):
    """A file about to be uploaded for a message (staff: the dashboard knows name, size and type)."""

    filename: Annotated[str, Meta(min_length=1, max_length=255)]
    size: Annotated[int, Meta(ge=1, extra={"unit": "bytes"})]
    content_type: Annotated[str, Meta(min_length=3, max_length=100)]


class PortalUpload(Strict, kw_only=True):
    """The portal's "Attach a file" button: which conversation (a project's, or the client's)."""

    project_id: Id | None = None
    attachments: Annotated[str, Meta(max_length=700, pattern=r"^[A-Za-z0-9_,-]*\Z")] = ""  # attached already
