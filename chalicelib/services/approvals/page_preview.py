"""The preview a client decides on: the image, or the PDF's first page, at a readable size.

The thumbnails the previews worker makes (640 px on the long side) leave an A4 page 452 px
wide: too small to read. A deliverable version gets one more WebP, 1800 px on the long side
(an A4 page 1,273 px wide), made once when the version is recorded and kept beside the
other previews (`previews/…/v{n}/1800.webp`, outside `uploads/`, so it never notifies).
Made on the staff request that records the version; a file past `MAX_SOURCE_BYTES` or of
another type gets none, and the page offers the file itself instead.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain import previews

log = logging.getLogger("paydrop.approvals")

PAGE_LONG_SIDE = 1800
MAX_SOURCE_BYTES = 40 * 1024 * 1024  # read on a staff request: larger files get no page preview
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class PagePreview:
    key: str
    width: int
    height: int


def make_page_preview(business_id: str, resource_id: str, version: int, s3_key: str, content_type: str | None,
                      filename: str | None) -> PagePreview | None:
    """Render and store the page preview of one file version; None when it has none."""
    kind = previews.preview_kind(content_type, filename)
    if kind is None:
        return None
    bucket = settings().files_bucket
    head = s3().head_object(Bucket=bucket, Key=s3_key)
    if int(head["ContentLength"]) > MAX_SOURCE_BYTES:
        return None
    import tempfile  # here: it costs `import app` ~0.5 ms

    from chalicelib.services.delivery.previews import render  # Pillow/PDFium: never on `import app`

    with tempfile.TemporaryFile() as spool:
        body = s3().get_object(Bucket=bucket, Key=s3_key)["Body"]
        try:
            while chunk := body.read(_CHUNK):
                spool.write(chunk)
        finally:
            body.close()
        spool.seek(0)
        try:
            rendered = render.render(spool, kind, PAGE_LONG_SIDE)
        except previews.Unpreviewable as e:
            log.info("no page preview for %s v%s: %s", resource_id, version, e.reason)
            return None
    page = rendered.previews[-1]
    key = previews.preview_key(business_id, resource_id, version, PAGE_LONG_SIDE)
    s3().put_object(Bucket=bucket, Key=key, Body=page.webp, ContentType="image/webp")
    return PagePreview(key, page.width, page.height)
