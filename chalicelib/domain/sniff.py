"""What a file really is, from its first bytes (magic numbers), and whether that matches what
the uploader declared.

The browser's declared type is only the file name's extension as the OS maps it: an `.exe`
renamed `.jpg` arrives as `image/jpeg`. Confirming an upload reads the first `SNIFF_BYTES`
of the object and records the type found here, so downloads and previews never trust the
declaration. Pure: bytes in, a MIME type out.
"""
from __future__ import annotations

import re

SNIFF_BYTES = 4096  # one ranged GET; enough for every signature below, zip's first entry names included

OCTET_STREAM = "application/octet-stream"
TEXT = "text/plain"
ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
EPUB = "application/epub+zip"
EXE = "application/vnd.microsoft.portable-executable"
ELF = "application/x-elf"

# Signatures at offset 0, checked in order.
_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"MZ", EXE),
    (b"\x7fELF", ELF),
    (b"ID3", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
    (b"\x1f\x8b", "application/gzip"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
    (b"\x1a\x45\xdf\xa3", "video/webm"),
)
_RIFF = {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}
# ISO base media (`....ftyp{brand}`): QuickTime, HEIF/AVIF images, the rest is MP4.
_FTYP_BRANDS = {b"qt  ": "video/quicktime", b"heic": "image/heic", b"heix": "image/heic", b"hevc": "image/heic",
                b"heim": "image/heic", b"heis": "image/heic", b"mif1": "image/heif", b"msf1": "image/heif",
                b"avif": "image/avif", b"avis": "image/avif", b"M4A ": "audio/mp4"}
_MP3_FRAME = re.compile(rb"\A\xff[\xe2-\xe7\xf2-\xf7\xfa-\xff]")  # MPEG audio frame sync, layer III/II

# Types that may stand for each other: the bytes cannot tell them apart, or they are aliases.
_ALIASES = {
    "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "audio/x-wav": "audio/wav", "audio/wave": "audio/wav",
    "audio/mp3": "audio/mpeg", "application/x-zip-compressed": ZIP, "application/x-pdf": "application/pdf",
    "application/x-msdownload": EXE, "application/x-msdos-program": EXE, "application/x-executable": ELF,
    "application/x-gzip": "application/gzip", "application/x-rar-compressed": "application/vnd.rar",
    "image/x-ms-bmp": "image/bmp", "audio/x-flac": "audio/flac", "video/x-m4v": "video/mp4",
}
# Zip containers that the first entries may not reveal: a zip of these declared types is fine.
_ZIP_FAMILY = frozenset({
    ZIP, DOCX, XLSX, PPTX, EPUB, "application/java-archive", "application/vnd.android.package-archive",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation", "application/x-sketch",
})
_MP4_FAMILY = frozenset({"video/mp4", "video/quicktime", "audio/mp4", "audio/x-m4a", "video/3gpp"})
# Text that is safe to serve under its declared type (never HTML/SVG/JS: those run in a browser).
_PLAIN_TEXTS = frozenset({TEXT, "text/csv", "text/markdown", "text/tab-separated-values", "application/json",
                          "text/calendar", "text/vcard", "text/x-log"})
_TEXTUAL = re.compile(r"\A(text/.+|application/(json|xml|.+\+xml|.+\+json|javascript|x-yaml|yaml|sql))\Z")


def sniff(head: bytes) -> str:
    """The MIME type the first bytes of a file show; `text/plain` for text, else octet-stream."""
    for prefix, mime in _PREFIXES:
        # Two- and three-byte signatures ("MZ", "BM", "ID3") also start ordinary sentences.
        if head.startswith(prefix) and (len(prefix) >= 4 or not _is_text(head)):
            return mime
    if head[:4] == b"RIFF" and head[8:12] in _RIFF:
        return _RIFF[head[8:12]]
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "video/mp4")
    if b"%PDF-" in head[:1024]:  # readers accept a PDF header anywhere in the first KiB
        return "application/pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(head)
    if _MP3_FRAME.match(head):
        return "audio/mpeg"
    return TEXT if _is_text(head) else OCTET_STREAM


def _zip_kind(head: bytes) -> str:
    """A zip, or the office/e-book format its first entry names give away."""
    if head[30:58] == b"mimetypeapplication/epub+zip":  # EPUB's required first, stored entry
        return EPUB
    if b"[Content_Types].xml" in head or b"_rels/.rels" in head:
        for marker, mime in ((b"word/", DOCX), (b"xl/", XLSX), (b"ppt/", PPTX)):
            if marker in head:
                return mime
    return ZIP


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return bool(head) and head.startswith((b"\xff\xfe", b"\xfe\xff"))  # UTF-16 with a BOM
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 3:  # a multi-byte character cut by the range is still text
            return False
    return not any(b < 9 or (13 < b < 32 and b != 27) for b in head)


def normalise(content_type: str | None) -> str:
    value = (content_type or "").split(";", 1)[0].strip().lower()
    return _ALIASES.get(value, value)


def true_type(declared: str | None, head: bytes) -> tuple[str, bool]:
    """The type to record and serve for a file, and whether it contradicts the declaration.

    The sniffed type wins, except where the bytes cannot be more precise than the declaration
    (a zip declared as a DOCX, a text file declared as CSV): then the declared, more precise
    type is kept. A type the bytes cannot confirm (an unknown binary declared as something
    we do not recognise either) is served as octet-stream without a warning.
    """
    found, said = sniff(head), normalise(declared)
    if found == said:
        return found, False
    if found == ZIP and said in _ZIP_FAMILY:
        return said, False
    if found in _MP4_FAMILY and said in _MP4_FAMILY:
        return found, False
    if found == TEXT:
        if said in _PLAIN_TEXTS:
            return said, False
        return TEXT, not _TEXTUAL.match(said)
    if found == OCTET_STREAM:
        return OCTET_STREAM, _recognisable(said)
    return found, True


def _recognisable(content_type: str) -> bool:
    """Would `sniff` have recognised a genuine file of this type? Then unknown bytes contradict it."""
    known = {mime for _, mime in _PREFIXES} | set(_RIFF.values()) | set(_FTYP_BRANDS.values())
    return (content_type in known or content_type in _ZIP_FAMILY or content_type in _MP4_FAMILY
            or content_type == "application/pdf" or bool(_TEXTUAL.match(content_type)))


def mismatch_warning(declared: str | None, recorded: str) -> str:
    """What staff read when the file is not what its name or type said."""
    what = {EXE: "a Windows program", ELF: "a Linux program", OCTET_STREAM: "not a recognised file type"}.get(
        recorded, recorded)
    return f"Uploaded as {normalise(declared) or 'no type'}, but the file's content is {what}. Clients download it as {recorded}."

