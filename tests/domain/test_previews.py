"""Preview rules: which files get previews, key layout, sizes and the derived status."""
from __future__ import annotations

import pytest

from chalicelib.domain import previews
from chalicelib.domain.previews import Unpreviewable, UploadKey


@pytest.mark.parametrize(("content_type", "filename", "kind"), [
    ("image/jpeg", "a.jpg", "image"), ("IMAGE/PNG", "a", "image"), ("image/heic", "IMG_1.HEIC", "image"),
    ("application/pdf", "x.bin", "pdf"), ("application/octet-stream", "scan.TIFF", "image"),
    ("application/octet-stream", "doc.pdf", "pdf"), ("application/zip", "a.zip", None),
    ("image/svg+xml", "logo.svg", None), ("text/plain", "notes", None), (None, None, None),
    ("application/zip", "photo.jpg", "image"),  # the extension says image: the decoder will judge
])
def test_preview_kind(content_type: str | None, filename: str | None, kind: str | None) -> None:
    assert previews.preview_kind(content_type, filename) == kind


def test_upload_keys_parse_and_previews_live_outside_uploads() -> None:
    assert previews.parse_upload_key("uploads/b1/r2/v3/My file.jpg") == UploadKey("b1", "r2", 3, "My file.jpg")
    for key in ("previews/b1/r2/v3/640.webp", "uploads/b1/r2/3/x.jpg", "uploads/b1/r2/v0/x.jpg",
                "uploads/b1/r2/v1/sub/x.jpg", "uploads/b1/r2/v1/", "uploads/../r2/v1/x.jpg"):
        assert previews.parse_upload_key(key) is None, key
    key = previews.preview_key("b1", "r2", 3, previews.LARGE)
    assert key == "previews/b1/r2/v3/640.webp" and not key.startswith("uploads/")


@pytest.mark.parametrize(("size", "long_side", "expected"), [
    ((6000, 4000), 640, (640, 427)), ((4000, 6000), 160, (107, 160)), ((100, 80), 640, (100, 80)),
    ((50_000, 10), 640, (640, 1)),
])
def test_fit_never_enlarges(size: tuple[int, int], long_side: int, expected: tuple[int, int]) -> None:
    assert previews.fit(*size, long_side) == expected


def test_caps() -> None:
    previews.check_pixels(7071, 7071)  # 49.99 MP
    with pytest.raises(Unpreviewable) as too_many:
        previews.check_pixels(10_000, 5_001)
    assert too_many.value.reason == previews.TOO_LARGE
    with pytest.raises(Unpreviewable) as empty:
        previews.check_source_size(0)
    assert empty.value.reason == previews.EMPTY
    with pytest.raises(Unpreviewable) as big:
        previews.check_source_size(previews.MAX_SOURCE_BYTES + 1)
    assert big.value.reason == previews.TOO_LARGE


def test_live_status_is_pending_until_the_live_version_has_an_outcome() -> None:
    assert previews.live_status("link", 0, None, None) == "none"
    assert previews.live_status("file", 1, None, None) == "pending"
    assert previews.live_status("file", 2, 1, "ready") == "pending"  # a new version resets to pending
    assert previews.live_status("file", 1, 2, "ready") == "pending"  # previews of the upload in flight
    assert previews.live_status("file", 2, 2, "failed") == "failed"
