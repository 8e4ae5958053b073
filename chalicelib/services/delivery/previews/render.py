"""Decoding an upload once and rendering its previews (WebP, 640 and 160 px on the long side).

No AWS here: `render(file, kind)` takes a seekable file and returns the encoded previews,
or raises `Unpreviewable` with the reason staff will see. Pillow, pypdfium2 and the HEIF
plugin are imported on first use, never by `import app`.

Images are decoded once, as small as the format allows:

1. open with the header only (only the decoders in `previews.IMAGE_FORMATS`), check the
   pixel cap, read the EXIF orientation and the ICC profile;
2. JPEG: `draft()` asks libjpeg to scale by 1/2, 1/4 or 1/8 inside the DCT, so a 24 MP
   photo is decoded straight to ~750 px and never exists at full size;
3. normalise the mode (palette/transparency → RGBA, 16-bit → 8-bit, …), resize to 640 px;
4. only then apply the orientation (what `ImageOps.exif_transpose` does, but with the
   orientation read in step 1: derived images do not keep TIFF tags) and convert to sRGB
   with the embedded profile (littleCMS), on 640 px instead of 24 MP;
5. the 160 px preview is made from the 640 px one; both are encoded from pixels alone,
   so no EXIF (GPS), XMP or ICC data reaches them.

PDFs: the first page, rendered by PDFium at the scale that makes its long side 640 px; the small
preview is the top of that page (a square from its top edge), never its middle.
"""
from __future__ import annotations

import io
import threading
import warnings
from dataclasses import dataclass
from functools import cache
from typing import IO, Any

from chalicelib.domain import previews
from chalicelib.domain.previews import Unpreviewable

_ORIENTATION_TAG = 0x0112
_pdfium_lock = threading.Lock()  # PDFium is not thread-safe (the local pump runs workers in threads)


@dataclass(frozen=True)
class Preview:
    size: int  # the long-side limit it was made for (160, 640)
    width: int
    height: int
    webp: bytes


@dataclass(frozen=True)
class Rendered:
    width: int  # the original, upright (images: pixels; PDFs: first page in points, i.e. at 72 dpi)
    height: int
    previews: tuple[Preview, ...]  # smallest first


@cache
def _pil() -> Any:
    """Pillow, configured for untrusted input (once per process)."""
    from PIL import Image, ImageFile

    # Pillow warns past MAX_IMAGE_PIXELS and raises past twice that; `render` turns the
    # warning into an error too, and checks the cap itself before decoding.
    Image.MAX_IMAGE_PIXELS = previews.MAX_PIXELS
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:  # HEIC/HEIF (iPhone photos): decoder-only libheif plugin; AVIF is built into Pillow
        from pi_heif import register_heif_opener

        register_heif_opener()
    except ImportError:  # pragma: no cover - the plugin is a runtime requirement
        pass
    return Image


def render(source: IO[bytes], kind: str, long_side: int = previews.LARGE) -> Rendered:
    """Both previews of `source` (an image or a PDF, per `previews.preview_kind`); the larger
    one `long_side` px on its long side (deliverable pages ask for a readable size).

    Raises `Unpreviewable` for anything wrong with the file itself: too large, empty,
    corrupt, truncated, not what its type says.
    """
    if kind == previews.PDF:
        return _render_pdf(source, long_side)
    return _render_image(source, long_side)


# --- images ------------------------------------------------------------------------------


def _render_image(source: IO[bytes], long_side: int) -> Rendered:
    image_module = _pil()
    from PIL import UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", image_module.DecompressionBombWarning)
        try:
            with image_module.open(source, formats=previews.IMAGE_FORMATS) as im:
                return _from_image(im, long_side)
        except Unpreviewable:
            raise
        except (image_module.DecompressionBombError, image_module.DecompressionBombWarning) as e:
            raise Unpreviewable(previews.TOO_LARGE, str(e)) from e
        except UnidentifiedImageError as e:
            raise Unpreviewable(previews.NOT_AN_IMAGE, str(e)) from e
        except MemoryError as e:
            raise Unpreviewable(previews.TOO_LARGE, "out of memory while decoding") from e
        except Exception as e:
            raise Unpreviewable(previews.DAMAGED_IMAGE, f"{type(e).__name__}: {e}") from e


def _from_image(im: Any, long_side: int) -> Rendered:
    original = im.size  # before draft(), which changes `size` to the reduced one
    previews.check_pixels(*original)
    orientation = _orientation(im)
    icc = im.info.get("icc_profile")
    if im.format == "JPEG":
        im.draft("RGB" if im.mode == "RGB" else None, previews.fit(original[0], original[1], long_side))
    source_mode = im.mode
    large = _eight_bit(_resized(_resizable(im), long_side), source_mode)
    large = _srgb(_transposed(large, orientation), icc)
    width, height = _upright(original, orientation)
    return Rendered(width, height, _encode_both(large, long_side))


def _orientation(im: Any) -> int:
    try:
        value = im.getexif().get(_ORIENTATION_TAG, 1)
        return int(value) if int(value) in range(1, 9) else 1
    except Exception:  # noqa: BLE001 - a broken EXIF block only costs the orientation
        return 1


def _resizable(im: Any) -> Any:
    """A mode Pillow resamples well: L, LA, RGB, RGBA, CMYK, or 16/32-bit grey (I;16, I, F),
    which is resized first and brought to 8 bits afterwards, on 640 px (`_eight_bit`)."""
    mode = im.mode
    if mode in ("L", "LA", "RGB", "RGBA", "CMYK", "I;16", "I", "F"):
        return im
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in im.info
        return im.convert("RGBA" if has_alpha else "RGB")
    if mode == "1":
        return im.convert("L")
    if mode.startswith("I;16"):
        return im.convert("I")  # I;16B, I;16L…: Pillow resizes only native I;16
    if mode in ("La", "RGBa"):
        return im.convert("RGBA")
    return im.convert("RGB")  # YCbCr, LAB, HSV, RGBX…


def _eight_bit(im: Any, source_mode: str) -> Any:
    """16/32-bit grey scaled into 8 bits (a plain convert("L") clips everything above 255)."""
    if im.mode not in ("I;16", "I", "F"):
        return im
    if source_mode.startswith("I;16"):
        scale = 1 / 257  # 65535 → 255
    else:
        high = im.getextrema()[1]
        scale = 255 / high if high > 255 else 1
    return im.convert("F").point(lambda v: v * scale).convert("L")


def _resized(im: Any, long_side: int) -> Any:
    from PIL import Image

    width, height = im.size
    target = previews.fit(width, height, long_side)
    im.load()
    if im.size == target:
        return im.copy()
    # `reducing_gap` shrinks by whole factors with a box filter first, then Lanczos (Pillow
    # cannot `reduce` I;16, which it resamples directly); RGBA/LA are premultiplied by Pillow
    # while resampling (no dark fringes).
    return im.resize(target, Image.Resampling.LANCZOS, reducing_gap=None if im.mode == "I;16" else 2.0)


_TRANSPOSE = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE", 6: "ROTATE_270",
              7: "TRANSVERSE", 8: "ROTATE_90"}  # ImageOps.exif_transpose's table


def _transposed(im: Any, orientation: int) -> Any:
    from PIL import Image

    method = _TRANSPOSE.get(orientation)
    return im.transpose(getattr(Image.Transpose, method)) if method else im


def _upright(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


def _srgb(im: Any, icc: bytes | None) -> Any:
    """RGB or RGBA in sRGB: through the embedded ICC profile when there is one."""
    alpha = im.getchannel("A") if im.mode in ("LA", "RGBA") else None
    base = im.convert({"LA": "L", "RGBA": "RGB"}[im.mode]) if alpha is not None else im
    converted = _through_profile(base, icc) if icc else None
    if converted is None:
        converted = base.convert("RGB")
    if alpha is not None and alpha.getextrema() != (255, 255):
        converted.putalpha(alpha)
    return converted


def _through_profile(im: Any, icc: bytes) -> Any:
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(im, source, _srgb_profile(), outputMode="RGB")
    except Exception:  # noqa: BLE001 - a broken or mismatched profile: fall back to the plain conversion
        return None


@cache
def _srgb_profile() -> Any:
    from PIL import ImageCms

    return ImageCms.createProfile("sRGB")


def _encode_both(large: Any, long_side: int) -> tuple[Preview, ...]:
    small = _resized(large, previews.SMALL)
    return tuple(_encode(im, size) for size, im in ((previews.SMALL, small), (long_side, large)))


def _encode(im: Any, size: int) -> Preview:
    """WebP from the pixels alone: `info` emptied and no exif/icc/xmp passed, so none is written."""
    im.info = {}
    out = io.BytesIO()
    im.save(out, "WEBP", quality=previews.WEBP_QUALITY, method=2, exif=b"", xmp=b"")
    return Preview(size, im.width, im.height, out.getvalue())


# --- PDFs --------------------------------------------------------------------------------


def _render_pdf(source: IO[bytes], long_side: int) -> Rendered:
    import pypdfium2 as pdfium

    _pil()
    with _pdfium_lock:
        try:
            document = pdfium.PdfDocument(source)
        except pdfium.PdfiumError as e:
            reason = previews.PROTECTED_PDF if "password" in str(e).lower() else previews.NOT_A_PDF
            raise Unpreviewable(reason, str(e)) from e
        try:
            return _first_page(document, long_side)
        except Unpreviewable:
            raise
        except MemoryError as e:
            raise Unpreviewable(previews.TOO_LARGE, "out of memory while rendering") from e
        except Exception as e:
            raise Unpreviewable(previews.NOT_A_PDF, f"{type(e).__name__}: {e}") from e
        finally:
            document.close()


def _first_page(document: Any, long_side: int) -> Rendered:
    if len(document) == 0:
        raise Unpreviewable(previews.EMPTY_PDF)
    page = document[0]
    try:
        width, height = page.get_size()  # points, with the page's /Rotate applied
        if not (width >= 1 and height >= 1):
            raise Unpreviewable(previews.NOT_A_PDF, f"first page is {width} × {height} pt")
        scale = long_side / max(width, height)
        bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255), may_draw_forms=True)
        try:
            large = bitmap.to_pil().convert("RGB")
        finally:
            bitmap.close()
    finally:
        page.close()
    return Rendered(round(width), round(height), _encode_pdf(large, long_side))


def _encode_pdf(page: Any, long_side: int) -> tuple[Preview, ...]:
    """The large preview is the whole page; the small one (the thumbnail every list shows in a
    square-ish box with `object-fit: cover`) is the top of the page, a square from its top
    edge: a whole portrait page in a square box is cropped to its middle, where a document's
    letterhead, title and number never are."""
    top = page.crop((0, 0, page.width, min(page.height, page.width)))
    small = _resized(top, previews.SMALL)
    return tuple(_encode(im, size) for size, im in ((previews.SMALL, small), (long_side, page)))
