"""The first bytes of an uploaded object, read once at confirm time to learn what it really is.

One ranged GetObject (`bytes=0-4095`) answers everything a confirm needs: the bytes to sniff,
and the object's full size from `Content-Range` (so no HEAD beforehand).
"""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain.sniff import SNIFF_BYTES


@dataclass(frozen=True)
class Head:
    size: int  # of the whole object
    first_bytes: bytes  # at most SNIFF_BYTES


def read_head(key: str) -> Head | None:
    """The object's size and first bytes, or None when it is not there (not uploaded yet)."""
    from botocore.exceptions import ClientError

    try:
        got = s3().get_object(Bucket=settings().files_bucket, Key=key, Range=f"bytes=0-{SNIFF_BYTES - 1}")
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") == "InvalidRange":  # no range of an empty object
            return Head(0, b"")
        # NoSuchKey, or AccessDenied (S3's answer for a missing key without ListBucket): not there.
        return None
    data = got["Body"].read(SNIFF_BYTES)
    content_range = str(got.get("ContentRange") or "")  # "bytes 0-4095/123456"
    total = content_range.rsplit("/", 1)[-1]
    size = int(total) if total.isdigit() else int(got["ContentLength"])
    return Head(size, data)
