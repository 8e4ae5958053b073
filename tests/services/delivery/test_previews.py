"""Previews of uploaded files, made from generated images and PDFs in (moto's) S3: every EXIF
orientation comes out upright, colour modes and transparency survive, metadata (GPS!) does
not, bombs, lies and damaged files end as `failed` with a reason, and a second run of the
same object version writes nothing."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import ExifTags, Image

from chalicelib.domain import previews
from chalicelib.domain.tokens import new_id
from chalicelib.services.delivery.previews.make import make_previews
from chalicelib.store import resources as store

RED, WHITE = (255, 0, 0), (255, 255, 255)


# --- helpers -----------------------------------------------------------------------------


def encode(im: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


def put_file(content: bytes, filename: str, content_type: str, version: int = 1) -> store.Resource:
    """A file resource whose live version `version` is `content` (written to S3 and the table)."""
    from chalicelib.aws import s3
    from chalicelib.config import settings

    bid, rid = new_id(), new_id()
    key = store.upload_key(bid, rid, version, filename)
    s3().put_object(Bucket=settings().files_bucket, Key=key, Body=content, ContentType=content_type)
    resource = store.new_resource(bid, rid, kind=store.FILE, title=filename, version=version, s3_key=key,
                                  filename=filename, size=len(content), content_type=content_type,
                                  status=store.READY, created_at="2026-01-01T00:00:00.000Z",
                                  updated_at="2026-01-01T00:00:00.000Z")
    resource.save()
    return resource


def run(resource: store.Resource) -> tuple[Any, store.Resource]:
    """Process the resource's live object; the outcome and the resource as stored afterwards."""
    from chalicelib.config import settings

    assert resource.s3_key
    outcome = make_previews(settings().files_bucket, resource.s3_key)
    stored = store.get_resource(resource.pk.removeprefix("BIZ#"), resource.resource_id)
    assert stored is not None
    return outcome, stored


def preview_image(key: str | None) -> Image.Image:
    from chalicelib.aws import s3
    from chalicelib.config import settings

    assert key and key.startswith("previews/")
    body = s3().get_object(Bucket=settings().files_bucket, Key=key)["Body"].read()
    im = Image.open(io.BytesIO(body))
    assert im.format == "WEBP"
    im.load()
    return im


def close_to(pixel: Any, expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=False))


def png_header_only(width: int, height: int) -> bytes:
    """A few hundred bytes claiming `width` × `height` pixels (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 4096)) + chunk(b"IEND", b"")


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims `width` × `height`."""
    data = bytearray(encode(Image.new("RGB", (16, 16), "red"), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.fixture
def s3_puts(aws: Any) -> Iterator[list[str]]:
    """Keys of the PutObject calls made while the test runs (botocore hook on the app's client)."""
    from chalicelib.aws import s3

    keys: list[str] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        keys.append(params["Key"])

    events = s3().meta.events
    events.register("provide-client-params.s3.PutObject", record)
    yield keys
    events.unregister("provide-client-params.s3.PutObject", record)


# --- orientation -------------------------------------------------------------------------

# The stored pixels for each orientation: what, once EXIF orientation `o` is applied, is the
# upright scene (the inverse of ImageOps.exif_transpose's operation).
STORED = {
    1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_comes_out_upright(aws: Any, orientation: int) -> None:
    # A 2600 × 1600 landscape scene with a red block in its top-left corner (large enough
    # that JPEG draft decoding reduces it by 4 before the orientation is applied).
    scene = Image.new("RGB", (2600, 1600), WHITE)
    scene.paste(RED, (0, 0, 650, 400))
    method = STORED[orientation]
    stored = scene.transpose(method) if method is not None else scene
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    resource = put_file(encode(stored, "JPEG", quality=90, exif=exif.tobytes()), "photo.jpg", "image/jpeg")

    outcome, stored_resource = run(resource)

    assert str(outcome).startswith("ready"), outcome
    assert (stored_resource.width, stored_resource.height) == (2600, 1600)
    assert (stored_resource.preview_large_width, stored_resource.preview_large_height) == (640, 394)
    assert (stored_resource.preview_small_width, stored_resource.preview_small_height) == (160, 98)
    for key, (w, h) in ((stored_resource.preview_large_key, (640, 394)), (stored_resource.preview_small_key, (160, 98))):
        im = preview_image(key).convert("RGB")
        assert im.size == (w, h)
        assert close_to(im.getpixel((w // 20, h // 20)), RED), (orientation, "top-left should be red")
        for corner in ((w - 1 - w // 20, h // 20), (w // 20, h - 1 - h // 20), (w - 1 - w // 20, h - 1 - h // 20)):
            assert close_to(im.getpixel(corner), WHITE), (orientation, corner)


# --- colour modes, formats, frames ---------------------------------------------------------


def test_cmyk_jpeg_becomes_rgb(aws: Any) -> None:
    resource = put_file(encode(Image.new("CMYK", (1200, 800), (0, 255, 255, 0)), "JPEG"), "print.jpg", "image/jpeg")
    outcome, stored = run(resource)
    assert outcome.status == "ready" and (stored.width, stored.height) == (1200, 800)
    im = preview_image(stored.preview_large_key)
    assert im.mode == "RGB" and close_to(im.getpixel((320, 200)), RED)


def test_palette_png_keeps_its_transparency(aws: Any) -> None:
    im = Image.new("P", (400, 200), 0)
    im.putpalette([0, 0, 0, 255, 0, 0] + [0, 0, 0] * 254)
    im.paste(1, (200, 0, 400, 200))  # right half red, left half the transparent index
    resource = put_file(encode(im, "PNG", transparency=0), "logo.png", "image/png")
    outcome, stored = run(resource)
    assert outcome.status == "ready"
    preview = preview_image(stored.preview_large_key)
    assert preview.mode == "RGBA" and preview.size == (400, 200)
    assert preview.getpixel((50, 100))[3] == 0
    assert close_to(preview.getpixel((350, 100)), (*RED, 255))


def test_animated_gif_previews_its_first_frame(aws: Any) -> None:
    frames = [Image.new("RGB", (300, 300), colour) for colour in ("red", "lime", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(io.BytesIO(data)).n_frames == 3
    outcome, stored = run(put_file(data, "spin.gif", "image/gif"))
    assert outcome.status == "ready"
    assert close_to(preview_image(stored.preview_large_key).convert("RGB").getpixel((150, 150)), RED)


def test_16_bit_png_is_scaled_to_8_bits_not_clipped(aws: Any) -> None:
    grey16 = Image.new("I;16", (800, 600), 40000)  # 40000 / 65535 ≈ 61 % grey, i.e. ≈ 156 in 8 bits
    data = encode(grey16, "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    outcome, stored = run(put_file(data, "scan.png", "image/png"))
    assert outcome.status == "ready"
    assert close_to(preview_image(stored.preview_large_key).convert("RGB").getpixel((100, 100)), (156, 156, 156), 3)


@pytest.mark.parametrize(("fmt", "filename", "content_type"), [
    ("PNG", "a.png", "image/png"), ("WEBP", "a.webp", "image/webp"), ("TIFF", "a.tiff", "image/tiff"),
    ("BMP", "a.bmp", "image/bmp"), ("AVIF", "a.avif", "image/avif"),
    ("PNG", "a.png", "application/octet-stream"),  # a generic type: the extension decides
    ("JPEG", "a.png", "image/png"),  # mislabelled, but a real image: the bytes choose the decoder
])
def test_other_image_formats(aws: Any, fmt: str, filename: str, content_type: str) -> None:
    im = Image.new("RGB", (1000, 500), RED)
    outcome, stored = run(put_file(encode(im, fmt), filename, content_type))
    assert outcome.status == "ready", outcome
    assert (stored.width, stored.height, stored.preview_large_width, stored.preview_large_height) == (1000, 500, 640, 320)
    assert close_to(preview_image(stored.preview_large_key).convert("RGB").getpixel((320, 160)), RED)


def test_heic_photos_have_a_decoder() -> None:
    """HEIC/HEIF (iPhone photos) through pi-heif, registered when the worker first decodes;
    no HEIC encoder is at hand to make a sample (pi-heif only decodes)."""
    from chalicelib.services.delivery.previews import render as preview_render

    preview_render._pil()
    assert "HEIF" in previews.IMAGE_FORMATS and "HEIF" in Image.OPEN
    assert Image.registered_extensions()[".heic"] == "HEIF"


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + b"\0" * 4 + _s15(x) + _s15(y) + _s15(z)


def rgb_icc_profile(red: tuple[float, ...], green: tuple[float, ...], blue: tuple[float, ...]) -> bytes:
    """A minimal ICC v2 RGB matrix/TRC profile (gamma 2.2) with these primaries (D50 XYZ)."""
    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, 0x0233) + b"\0\0"
    tags = [(b"wtpt", _xyz(0.9642, 1.0, 0.8249)), (b"rXYZ", _xyz(*red)), (b"gXYZ", _xyz(*green)),
            (b"bXYZ", _xyz(*blue)), (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body + b"\0" * (-len(body) % 4)
    header = (struct.pack(">I", offset + len(data)) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + b"\0" * 12 + b"acsp" + b"\0" * 28 + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\0" * 48)
    return header + struct.pack(">I", len(tags)) + table + data


# sRGB's primaries (D50); a profile with red and blue swapped shows its "red" as sRGB blue.
SRGB_RED, SRGB_GREEN, SRGB_BLUE = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)
SWAPPED = rgb_icc_profile(SRGB_BLUE, SRGB_GREEN, SRGB_RED)


def test_an_embedded_icc_profile_is_converted_to_srgb_and_not_copied(aws: Any) -> None:
    outcome, stored = run(put_file(encode(Image.new("RGB", (800, 800), RED), "JPEG", icc_profile=SWAPPED),
                                   "wide.jpg", "image/jpeg"))
    assert outcome.status == "ready"
    preview = preview_image(stored.preview_large_key)
    assert "icc_profile" not in preview.info
    assert close_to(preview.getpixel((400, 400)), (0, 0, 255))


def test_colour_conversion_keeps_transparency(aws: Any) -> None:
    im = Image.new("RGBA", (600, 300), (0, 0, 0, 0))
    im.paste((255, 0, 0, 255), (300, 0, 600, 300))
    outcome, stored = run(put_file(encode(im, "PNG", icc_profile=SWAPPED), "cutout.png", "image/png"))
    assert outcome.status == "ready"
    preview = preview_image(stored.preview_large_key)
    assert preview.mode == "RGBA" and preview.getpixel((100, 150))[3] == 0
    assert close_to(preview.getpixel((500, 150)), (0, 0, 255, 255))


def test_a_broken_icc_profile_costs_only_the_colour_conversion(aws: Any) -> None:
    im = Image.new("RGB", (300, 300), RED)
    outcome, stored = run(put_file(encode(im, "JPEG", icc_profile=b"not a profile" * 10), "p.jpg", "image/jpeg"))
    assert outcome.status == "ready"
    assert close_to(preview_image(stored.preview_large_key).getpixel((150, 150)), RED)


def test_small_images_are_not_enlarged(aws: Any) -> None:
    outcome, stored = run(put_file(encode(Image.new("RGB", (120, 90), RED), "PNG"), "icon.png", "image/png"))
    assert outcome.status == "ready"
    assert (stored.preview_small_width, stored.preview_small_height) == (120, 90)
    assert (stored.preview_large_width, stored.preview_large_height) == (120, 90)


# --- metadata ------------------------------------------------------------------------------


def test_gps_and_other_metadata_are_stripped(aws: Any) -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    data = encode(Image.new("RGB", (1600, 1200), RED), "JPEG", exif=exif.tobytes(), xmp=b"<x:xmpmeta secret/>",
                  comment=b"home address")
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the source has it

    outcome, stored = run(put_file(data, "holiday.jpg", "image/jpeg"))

    assert outcome.status == "ready"
    from chalicelib.aws import s3
    from chalicelib.config import settings

    for key in (stored.preview_small_key, stored.preview_large_key):
        body = s3().get_object(Bucket=settings().files_bucket, Key=key)["Body"].read()
        chunks = webp_chunks(body)
        assert not {b"EXIF", b"XMP ", b"ICCP"} & set(chunks), chunks
        for secret in (b"PhoneCo", b"secret", b"home address", b"GPS"):
            assert secret not in body
        preview = Image.open(io.BytesIO(body))
        assert not preview.getexif() and not {"exif", "xmp", "icc_profile", "comment"} & set(preview.info)


def webp_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, at = [], 12
    while at + 8 <= len(data):
        kind, size = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        chunks.append(kind)
        at += 8 + size + (size & 1)
    return chunks


# --- what cannot have a preview ----------------------------------------------------------------


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a picture")
    return out.getvalue()


@pytest.mark.parametrize(("content", "filename", "content_type", "reason"), [
    (png_header_only(100_000, 100_000), "bomb.png", "image/png", previews.TOO_LARGE),  # 10 GP: Pillow's error
    (png_header_only(8_000, 7_500), "big.png", "image/png", previews.TOO_LARGE),  # 60 MP: over our cap, Pillow warns
    (jpeg_claiming(60_000, 60_000), "bomb.jpg", "image/jpeg", previews.TOO_LARGE),
    (b"", "nothing.jpg", "image/jpeg", previews.EMPTY),
    (zip_bytes(), "photo.jpg", "image/jpeg", previews.NOT_AN_IMAGE),  # a zip named .jpg
    (b"%PDF-1.7 not really", "photo.jpg", "image/jpeg", previews.NOT_AN_IMAGE),
    (zip_bytes(), "invoice.pdf", "application/pdf", previews.NOT_A_PDF),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "cut.png", "image/png", previews.NOT_AN_IMAGE),
], ids=["10-gigapixel-png", "60-megapixel-png", "jpeg-bomb", "zero-bytes", "zip-named-jpg", "pdf-named-jpg",
        "zip-named-pdf", "png-signature-only"])
def test_files_that_cannot_have_previews_fail_with_a_reason(
        aws: Any, s3_puts: list[str], content: bytes, filename: str, content_type: str, reason: str) -> None:
    assert len(content) < 100_000  # bombs are small files
    resource = put_file(content, filename, content_type)
    s3_puts.clear()
    outcome, stored = run(resource)
    assert (outcome.status, outcome.reason) == ("failed", reason), outcome
    assert (stored.preview_status, stored.preview_reason, stored.preview_state) == ("failed", reason, "failed")
    assert stored.preview_large_key is None and stored.width is None
    assert s3_puts == []


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_a_truncated_jpeg_fails_as_damaged(aws: Any, cut: float) -> None:
    full = encode(Image.effect_noise((1500, 1000), 50).convert("RGB"), "JPEG")
    outcome, _ = run(put_file(full[:int(len(full) * cut)], "cut.jpg", "image/jpeg"))
    assert (outcome.status, outcome.reason) == ("failed", previews.DAMAGED_IMAGE), outcome


def test_a_file_over_the_byte_cap_is_not_read(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(previews, "MAX_SOURCE_BYTES", 1000)
    outcome, _ = run(put_file(encode(Image.effect_noise((200, 200), 50), "PNG"), "a.png", "image/png"))
    assert (outcome.status, outcome.reason) == ("failed", previews.TOO_LARGE)


def test_other_types_get_no_preview(aws: Any, s3_puts: list[str]) -> None:
    resource = put_file(zip_bytes(), "assets.zip", "application/zip")
    s3_puts.clear()
    outcome, stored = run(resource)
    assert outcome.status == "none"
    assert (stored.preview_status, stored.preview_state, stored.preview_version) == ("none", "none", 1)
    assert s3_puts == []


# --- PDFs ----------------------------------------------------------------------------------


def test_a_pdf_previews_its_first_page(aws: Any) -> None:
    pages = [Image.new("RGB", size, colour) for size, colour in (((595, 842), "red"), ((842, 595), "lime"),
                                                                   ((595, 842), "blue"))]
    data = encode(pages[0], "PDF", save_all=True, append_images=pages[1:], resolution=72)
    outcome, stored = run(put_file(data, "brochure.pdf", "application/pdf"))
    assert outcome.status == "ready", outcome
    assert (stored.width, stored.height) == (595, 842)  # the first page, in points
    assert (stored.preview_large_width, stored.preview_large_height) == (453, 640)
    assert (stored.preview_small_width, stored.preview_small_height) == (160, 160)  # the top of the page
    assert close_to(preview_image(stored.preview_large_key).convert("RGB").getpixel((226, 320)), RED)


def test_a_pdf_thumbnail_shows_the_top_of_the_first_page_not_its_middle(aws: Any) -> None:
    """A letter whose letterhead (the top 100 pt) is red and whose body is blue: the thumbnail
    lists show in a square box is the top of the page, so the letterhead is in it."""
    page = Image.new("RGB", (595, 842), "blue")
    page.paste(Image.new("RGB", (595, 100), "red"), (0, 0))
    outcome, stored = run(put_file(encode(page, "PDF", resolution=72), "letter.pdf", "application/pdf"))
    assert outcome.status == "ready", outcome
    small = preview_image(stored.preview_small_key).convert("RGB")
    assert small.size == (160, 160)
    assert close_to(small.getpixel((80, 10)), RED)  # the top edge of the thumbnail is the top of the page
    assert close_to(small.getpixel((80, 150)), (0, 0, 255))
    # What a square box cropping the whole page to its middle showed: body only, no letterhead.
    large = preview_image(stored.preview_large_key).convert("RGB")
    middle = large.crop((0, (large.height - large.width) // 2, large.width, (large.height + large.width) // 2))
    assert not close_to(middle.getpixel((middle.width // 2, 5)), RED)


# --- idempotency and versions ----------------------------------------------------------------


def test_the_same_object_version_twice_writes_nothing_new(aws: Any, s3_puts: list[str], dynamodb_calls: list[str]) -> None:
    resource = put_file(encode(Image.new("RGB", (900, 600), RED), "JPEG"), "twice.jpg", "image/jpeg")
    s3_puts.clear()
    first, stored = run(resource)
    assert first.status == "ready"
    assert sorted(s3_puts) == sorted([stored.preview_small_key, stored.preview_large_key])
    s3_puts.clear()
    dynamodb_calls.clear()

    second, again = run(resource)

    assert (second.status, second.reason) == ("unchanged", "ready")
    assert s3_puts == []
    assert "UpdateItem" not in dynamodb_calls and "PutItem" not in dynamodb_calls
    assert again.attribute_values == stored.attribute_values


def test_a_failed_file_is_not_retried(aws: Any, dynamodb_calls: list[str]) -> None:
    resource = put_file(b"", "empty.png", "image/png")
    assert run(resource)[0].status == "failed"
    dynamodb_calls.clear()
    assert str(run(resource)[0]) == "unchanged: failed"
    assert "UpdateItem" not in dynamodb_calls


def test_previews_already_in_s3_are_reused_not_rewritten(aws: Any, s3_puts: list[str]) -> None:
    """A run that wrote the previews but stopped before recording them: the next run records
    them from the previews' metadata."""
    resource = put_file(encode(Image.new("RGB", (900, 600), RED), "JPEG"), "crash.jpg", "image/jpeg")
    _, done = run(resource)
    expected = {name: getattr(done, name) for name in store.PREVIEW_FIELDS}
    store.record_preview(done, str(done.s3_key), dict.fromkeys(store.PREVIEW_FIELDS) | {"preview_version": 1})
    s3_puts.clear()

    outcome, again = run(resource)

    assert outcome.status == "ready" and s3_puts == []
    assert {name: getattr(again, name) for name in store.PREVIEW_FIELDS} == expected


def test_a_reupload_to_the_same_key_is_previewed_again(aws: Any, s3_puts: list[str]) -> None:
    from chalicelib.aws import s3
    from chalicelib.config import settings

    resource = put_file(encode(Image.new("RGB", (900, 600), RED), "JPEG"), "same.jpg", "image/jpeg")
    _, first = run(resource)
    s3().put_object(Bucket=settings().files_bucket, Key=resource.s3_key,
                    Body=encode(Image.new("RGB", (600, 900), "blue"), "JPEG"))
    outcome, second = run(resource)
    assert outcome.status == "ready" and second.preview_source != first.preview_source
    assert (second.width, second.height) == (600, 900)


def test_only_live_and_pending_versions_are_previewed(aws: Any) -> None:
    from chalicelib.aws import s3
    from chalicelib.config import settings

    bucket = settings().files_bucket
    resource = put_file(encode(Image.new("RGB", (300, 200), RED), "PNG"), "a.png", "image/png", version=2)
    stale = store.upload_key(resource.pk.removeprefix("BIZ#"), resource.resource_id, 1, "a.png")
    s3().put_object(Bucket=bucket, Key=stale, Body=encode(Image.new("RGB", (300, 200), RED), "PNG"))
    assert str(make_previews(bucket, stale)) == "skipped: not the live or pending version"
    unknown = store.upload_key(new_id(), new_id(), 1, "a.png")
    s3().put_object(Bucket=bucket, Key=unknown, Body=b"x")
    assert str(make_previews(bucket, unknown)) == "skipped: no such file resource"
    assert str(make_previews(bucket, "uploads/not/a/version/key/x.png")) == "skipped: not a file version key"
    stored = store.get_resource(resource.pk.removeprefix("BIZ#"), resource.resource_id)
    assert stored is not None and stored.preview_status is None and stored.preview_state == "pending"


def test_a_new_version_is_pending_until_its_previews_are_live(aws: Any) -> None:
    """Previews made for an upload in flight do not describe the live version; once the
    upload is confirmed they do."""
    from chalicelib.aws import s3
    from chalicelib.config import settings

    resource = put_file(encode(Image.new("RGB", (300, 200), RED), "PNG"), "a.png", "image/png")
    _, live = run(resource)
    assert live.preview_state == "ready"
    key = store.upload_key(live.pk.removeprefix("BIZ#"), live.resource_id, 2, "b.pdf")
    s3().put_object(Bucket=settings().files_bucket, Key=key, Body=b"%PDF broken")
    live.pending_version, live.pending_key, live.pending_content_type, live.pending_filename = 2, key, "application/pdf", "b.pdf"
    live.save()

    assert str(make_previews(settings().files_bucket, key)) .startswith("failed: not a valid PDF")
    during = store.get_resource(live.pk.removeprefix("BIZ#"), live.resource_id)
    assert during is not None and (during.preview_version, during.preview_state) == (2, "pending")
    # An older event for version 1 arriving late does not overwrite version 2's outcome.
    assert str(make_previews(settings().files_bucket, str(live.s3_key))) == "skipped: a newer version has previews"

    during.version, during.s3_key = 2, key
    during.save()
    assert during.preview_state == "failed"
