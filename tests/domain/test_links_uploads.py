"""External links and upload rules."""
from __future__ import annotations

import pytest

from chalicelib.domain import uploads
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.links import check_external_url


@pytest.mark.parametrize("url", [
    "https://example.com/manual.pdf", "https://docs.example.co.uk/a?b=c#d", "https://1.1.1.1/", "https://bad.cafe/",
])
def test_public_https_links_are_accepted(url: str) -> None:
    assert check_external_url(url) == url


@pytest.mark.parametrize("url", [
    "http://example.com", "javascript:alert(1)", "data:text/html,hi", "ftp://example.com", "https://",
    "https://localhost/", "https://127.0.0.1/", "https://[::1]/", "https://10.1.2.3/", "https://192.168.0.1/",
    "https://169.254.169.254/latest/meta-data", "https://printer.local/", "https://db.internal/",
    "https://intranet/", "https://2130706433/", "https://0x7f.1/", "https://user:pw@example.com/",
    "https://exa mple.com/", "https://example.com/\n", "https://example.com/" + "a" * 2100,
])
def test_unsafe_links_are_refused(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_external_url(url)
    assert caught.value.field == "url"


def test_sizes_and_parts() -> None:
    uploads.check_size(1)
    uploads.check_size(50 * uploads.GB)
    for bad in (0, -1, 50 * uploads.GB + 1):
        with pytest.raises(ValidationError):
            uploads.check_size(bad)
    assert not uploads.is_multipart(5 * uploads.GB)
    assert uploads.is_multipart(5 * uploads.GB + 1)
    assert uploads.part_size(6 * uploads.GB) == 16 * uploads.MB
    big = 50 * uploads.GB
    assert uploads.part_count(big) <= uploads.MAX_PARTS
    assert uploads.part_size(big) * uploads.part_count(big) >= big


@pytest.mark.parametrize("name, safe", [
    ("report.pdf", "report.pdf"), ("../../etc/passwd", "passwd"), ("C:\\Users\\a\\b.txt", "b.txt"),
    ("naïve café.png", "naive cafe.png"), ('a"; filename="evil.exe', "a_ filename_evil.exe"), ("", "file"), ("...", "file"),
])
def test_safe_filenames(name: str, safe: str) -> None:
    assert uploads.safe_filename(name) == safe


def test_content_types() -> None:
    assert uploads.check_content_type("Application/PDF") == "application/pdf"
    for bad in ("pdf", "text/html; charset=utf-8\r\nX: y", "a/b/c", ""):
        with pytest.raises(ValidationError):
            uploads.check_content_type(bad)
