"""Messages between a client and the team: plain text only, URLs made clickable, nothing else.

Pure rules: how long a message may be, how its text becomes HTML (every character escaped,
http(s) URLs turned into links that carry `rel="noopener nofollow ugc"`), and the first line a
notification shows.
"""
from __future__ import annotations

import html
import re

from chalicelib.domain.errors import ValidationError

MAX_TEXT = 10_000  # characters
MAX_ATTACHMENT = 100 * 1024 * 1024  # bytes, each
MAX_ATTACHMENTS = 10  # per message
PREVIEW = 140  # characters of a message shown in lists and notifications
CLIENT, STAFF = "client", "staff"
# Up to whitespace or a character that cannot be part of a URL in prose; trailing
# punctuation ("see https://x.test/a.") is not part of the link.
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
# Control characters (C0 but tab and newline, DEL, C1) and bidi overrides/isolates: invisible, and an
# override shows text (a file name, a link) reversed from what it is.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Characters that show nothing (zero-width spaces and joiners, word joiner, BOM, soft hyphen):
# a message made only of these and whitespace reads as empty.
_INVISIBLE = re.compile(r"[\s\u00ad\u200b-\u200d\u2060\ufeff]+")


def clean_text(text: str, attachments: int = 0) -> str:
    """The text to store: line endings unified, control characters dropped, outer blank lines
    trimmed. Empty is refused unless files come with it; more than 10,000 characters is refused."""
    cleaned = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip("\n").rstrip()
    if len(cleaned) > MAX_TEXT:
        raise ValidationError(f"A message can have at most {MAX_TEXT:,} characters ({len(cleaned):,} sent).",
                              field="text")
    if not is_visible(cleaned) and not attachments:
        raise ValidationError("Write a message (or attach a file).", field="text")
    return cleaned


def is_visible(text: str) -> bool:
    """Whether `text` shows anything at all (not only whitespace or zero-width characters)."""
    return bool(_INVISIBLE.sub("", text))


def _link(url: str) -> str:
    safe = html.escape(url, quote=True)
    return f'<a href="{safe}" rel="noopener nofollow ugc" target="_blank">{safe}</a>'


def to_html(text: str) -> str:
    """`text` as HTML: everything escaped, http(s) URLs as links, nothing else (line breaks are
    kept by the page's `white-space: pre-wrap`)."""
    out: list[str] = []
    start = 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(_TRAILING)
        if len(url) <= len("https://"):
            continue
        out += [html.escape(text[start:match.start()], quote=True), _link(url)]
        start = match.start() + len(url)
    out.append(html.escape(text[start:], quote=True))
    return "".join(out)


def preview(text: str, attachments: int = 0) -> str:
    """One line for a list or a notification: the start of the text, or what was attached."""
    line = " ".join(text.split())
    if not line:
        return f"{attachments} file{'s' if attachments != 1 else ''} attached" if attachments else ""
    return line if len(line) <= PREVIEW else line[: PREVIEW - 1].rstrip() + "…"


# Programs are never passed between a client and the team: a message's file is opened by the
# person receiving it, and a program renamed `invoice.pdf` is the oldest trick there is.
PROGRAMS = frozenset({"application/vnd.microsoft.portable-executable", "application/x-elf",
                      "application/x-msdownload", "application/x-msdos-program", "application/x-executable",
                      "application/x-msi", "application/x-ms-installer", "application/x-dosexec"})


def check_attachment_type(content_type: str) -> None:
    """Refuse a program, whether its bytes or its declared type say so."""
    if content_type.split(";", 1)[0].strip().lower() in PROGRAMS:
        raise ValidationError("Programs cannot be sent with a message; send a document, an image or an archive.",
                              field="content_type")


def check_attachment_size(size: int) -> None:
    if size < 1 or size > MAX_ATTACHMENT:
        raise ValidationError("An attachment can be from 1 byte to 100 MB.", field="size")
