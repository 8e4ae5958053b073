"""Preview rules: which files get previews, at what sizes, within which limits, and where they live.

Pure: no AWS, no imaging library. The worker (`services/delivery/previews/make.py`) applies these rules;
the pages that list files read `live_status` to know whether a resource's previews belong
to the version they show.
"""
from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

# Long side, in pixels, of the two previews every previewable file gets (never enlarged).
SMALL, LARGE = 160, 640
SIZES = (SMALL, LARGE)
# Decoded pixels allowed for one image (a 50 MP photo is fine, a decompression bomb is not).
MAX_PIXELS = 50_000_000
# Bytes read from S3 for one file; a larger upload gets no preview (`failed`, "too large").
MAX_SOURCE_BYTES = 100 * 1024 * 1024
WEBP_QUALITY = 80

# Statuses. `pending` is never stored: it is what a version without a recorded outcome shows.
PENDING, READY, NONE, FAILED = "pending", "ready", "none", "failed"
FINAL = (READY, NONE, FAILED)

# Reasons recorded with `failed` (short: staff see them next to the file).
TOO_LARGE = "too large"
EMPTY = "empty file"
NOT_AN_IMAGE = "not a valid image"
DAMAGED_IMAGE = "damaged image"
NOT_A_PDF = "not a valid PDF"
PROTECTED_PDF = "password-protected PDF"
EMPTY_PDF = "PDF has no pages"

IMAGE, PDF = "image", "pdf"
IMAGE_TYPES = frozenset({
    "image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/webp", "image/gif", "image/tiff",
    "image/bmp", "image/x-ms-bmp", "image/avif", "image/heic", "image/heif",
})
PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp",
                              ".avif", ".heic", ".heif"})
# The Pillow decoders a file may be opened with: declared type and extension choose the
# path, the bytes choose the decoder among these (never EPS/Ghostscript or other exotica).
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP", "AVIF", "HEIF")

_UPLOAD_KEY = r"uploads/(?P<bid>[A-Za-z0-9_-]+)/(?P<rid>[A-Za-z0-9_-]+)/v(?P<n>[1-9][0-9]{0,8})/(?P<name>[^/]+)"


class Unpreviewable(Exception):
    """The file cannot have a preview; `reason` is what staff see (one of the reasons above)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class UploadKey(NamedTuple):  # a NamedTuple, not a dataclass: `import app` loads this module
    business_id: str
    resource_id: str
    version: int
    filename: str


def parse_upload_key(key: str) -> UploadKey | None:
    """`uploads/{bid}/{rid}/v{n}/{filename}` → its parts; anything else → None."""
    match = _upload_key().fullmatch(key)
    if not match:
        return None
    return UploadKey(match["bid"], match["rid"], int(match["n"]), match["name"])


@cache
def _upload_key() -> re.Pattern[str]:
    return re.compile(_UPLOAD_KEY)


def preview_key(business_id: str, resource_id: str, version: int, size: int) -> str:
    """Where a preview lives: under `previews/`, outside the `uploads/` prefix S3 notifies on."""
    return f"previews/{business_id}/{resource_id}/v{version}/{size}.webp"


def preview_kind(content_type: str | None, filename: str | None) -> str | None:
    """`image`, `pdf` or None (no preview: the UI shows a type icon). The declared type
    decides; the extension is the fallback for generic types. The bytes decide later
    whether it really is one (a zip named .jpg fails then)."""
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared in IMAGE_TYPES:
        return IMAGE
    if declared in PDF_TYPES:
        return PDF
    name = (filename or "").rsplit("/", 1)[-1]
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""
    if suffix in IMAGE_EXTENSIONS:
        return IMAGE
    if suffix == ".pdf":
        return PDF
    return None


def check_pixels(width: int, height: int) -> None:
    """Raise `Unpreviewable(TOO_LARGE)` for images past the pixel cap (read from the header,
    before anything is decoded)."""
    if width <= 0 or height <= 0:
        raise Unpreviewable(DAMAGED_IMAGE, f"{width} × {height} px")
    if width * height > MAX_PIXELS:
        raise Unpreviewable(TOO_LARGE, f"{width} × {height} px, the limit is {MAX_PIXELS // 1_000_000} MP")


def check_source_size(size: int) -> None:
    if size <= 0:
        raise Unpreviewable(EMPTY)
    if size > MAX_SOURCE_BYTES:
        raise Unpreviewable(TOO_LARGE, f"{size} bytes, the limit is {MAX_SOURCE_BYTES} bytes")


def fit(width: int, height: int, long_side: int) -> tuple[int, int]:
    """`width` × `height` scaled so its long side is at most `long_side` (never enlarged, ≥ 1 px)."""
    scale = min(1.0, long_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def live_status(kind: str, version: float | None, preview_version: float | None, preview_status: str | None) -> str:
    """The preview status of a resource's live version: the recorded outcome when it was made
    for that version, `pending` while the live version has none yet (a new version resets
    it), `none` for links."""
    if kind != "file":
        return NONE
    if preview_version is None or version is None or int(preview_version) != int(version) or not preview_status:
        return PENDING
    return preview_status
