"""Upload rules: sizes, content types, object keys and multipart part sizes."""
from __future__ import annotations

import math
import re
import unicodedata

from chalicelib.domain.errors import ValidationError

MB = 1024 * 1024
GB = 1024 * MB
MAX_SINGLE_UPLOAD = 5 * GB  # S3's limit for one PUT/POST
MAX_UPLOAD = 50 * GB
MIN_PART = 16 * MB
MAX_PARTS = 10_000  # S3's limit
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*")
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def check_size(size: int) -> None:
    if size < 1 or size > MAX_UPLOAD:
        raise ValidationError("Files can be from 1 byte to 50 GB.", field="size")


def check_content_type(content_type: str) -> str:
    value = content_type.strip().lower()
    if len(value) > 100 or not _CONTENT_TYPE.fullmatch(value):
        raise ValidationError("The content type is not valid (e.g. application/pdf).", field="content_type")
    return value


def is_multipart(size: int) -> bool:
    """Above S3's single-upload limit the browser uploads in parts."""
    return size > MAX_SINGLE_UPLOAD


def part_size(size: int) -> int:
    """The smallest whole-MB part size ≥ 16 MB that fits `size` in at most 10,000 parts."""
    return max(MIN_PART, math.ceil(size / MAX_PARTS / MB) * MB)


def part_count(size: int) -> int:
    return math.ceil(size / part_size(size))


def safe_filename(name: str) -> str:
    """A filename safe for an S3 key and a Content-Disposition header (ASCII, no paths)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    cleaned = _UNSAFE.sub("_", ascii_name).strip(" .")[:150]
    return cleaned or "file"
