"""What a file is, from its first bytes: the type recorded and served, and when staff are warned."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.sniff import DOCX, ELF, EPUB, EXE, OCTET_STREAM, SNIFF_BYTES, TEXT, XLSX, ZIP, sniff, true_type

PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"


def _zip(first_entry: bytes, later: bytes = b"") -> bytes:
    return b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 16 + b"\x13\x00\x00\x00" + first_entry + b"\x00" * 40 + later


@pytest.mark.parametrize(("head", "mime"), [
    (b"%PDF-1.7\n", "application/pdf"),
    (b"\xef\xbb\xbfjunk before %PDF-1.4", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"GIF89a\x01\x00", "image/gif"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
    (_zip(b"[Content_Types].xml", b"word/document.xml"), DOCX),
    (_zip(b"[Content_Types].xml", b"xl/workbook.xml"), XLSX),
    (b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/epub+zip", EPUB),
    (_zip(b"photos/a.jpg"), ZIP),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isom", "video/mp4"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "video/quicktime"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic"),
    (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1", "image/avif"),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb", "audio/mpeg"),
    (b"\xff\xfb\x90\x64\x00\x00", "audio/mpeg"),
    (PE + b"\x00" * 40, EXE),
    (b"\x7fELF\x02\x01\x01", ELF),
    (b"Dear client,\nthank you. \xe2\x82\xac 40\n", TEXT),
    (b"MZansi quarterly report\n", TEXT),  # a sentence that starts like a program is still text
    (b"\x00\x01\x02\x03\xfe", OCTET_STREAM),
    (b"", OCTET_STREAM),
])
def test_magic_bytes_name_the_type(head: bytes, mime: str) -> None:
    assert sniff(head) == mime


def test_a_multibyte_character_cut_by_the_range_is_still_text() -> None:
    head = ("é" * SNIFF_BYTES).encode()[:SNIFF_BYTES - 1]
    assert sniff(head) == TEXT


@pytest.mark.parametrize(("declared", "head", "recorded", "warned"), [
    ("image/jpeg", PE, EXE, True),  # the issue's .exe renamed .jpg
    ("image/jpg", b"\xff\xd8\xff\xe0", "image/jpeg", False),  # an alias is not a lie
    ("application/pdf", b"Just some text", TEXT, True),
    ("application/zip", _zip(b"[Content_Types].xml", b"word/document.xml"), DOCX, True),
    (DOCX, _zip(b"[Content_Types].xml"), DOCX, False),  # a zip cannot say more: the declaration stands
    ("video/quicktime", b"\x00\x00\x00\x18ftypmp42", "video/mp4", False),
    ("text/csv", b"a,b\n1,2\n", "text/csv", False),
    ("text/html", b"<script>alert(1)</script>", TEXT, False),  # text, but never served as HTML
    ("application/x-photoshop", b"8BPS\x00\x01\x00\x00", OCTET_STREAM, False),  # unknown to us: no claim either way
    ("image/png", b"\x00\x01\x02\x03", OCTET_STREAM, True),
    ("Image/JPEG; charset=binary", b"\xff\xd8\xff\xdb", "image/jpeg", False),
])
def test_the_recorded_type_and_the_warning(declared: str, head: bytes, recorded: str, warned: bool) -> None:
    assert true_type(declared, head) == (recorded, warned)


@given(st.binary(max_size=SNIFF_BYTES), st.sampled_from(["image/jpeg", "application/pdf", "text/plain", "x/y", ""]))
def test_any_bytes_get_a_type_and_never_an_error(head: bytes, declared: str) -> None:
    recorded, _ = true_type(declared, head)
    assert "/" in recorded and recorded not in ("text/html", "image/svg+xml")
