"""Thumbnail URLs for pages and lists: short-lived presigned GETs of the previews the worker
made, signed locally (no call per preview, no extra read per row)."""
from __future__ import annotations

from chalicelib.aws import s3
from chalicelib.config import settings


def preview_url(key: str | None) -> str | None:
    if not key:
        return None
    return str(s3().generate_presigned_url("get_object", ExpiresIn=settings().presign_ttl_seconds,
                                           Params={"Bucket": settings().files_bucket, "Key": key}))
