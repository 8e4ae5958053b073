"""The shared pieces of every Paydrop PDF (reportlab, imported inside the functions only, so
`import app` never pays for it): fonts, page, colours, styles, header, footer, "page N of M".

The colours come from `domain/colours.palette`, the rule the client pages use: the brand
colour as text (headings, table headers, the balance due) is its readable `ink`.
"""
from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalicelib.domain.colours import palette
from chalicelib.domain.formatting import badge

log = logging.getLogger("paydrop.pdfs")

FONTS = Path(__file__).resolve().parents[2] / "fonts"  # chalicelib/fonts
FONT, BOLD = "PaydropSans", "PaydropSans-Bold"


@lru_cache(maxsize=1)
def fonts() -> None:
    """DejaVu Sans, embedded (subset): Latin, Greek and Cyrillic names print as typed, which
    the PDF base fonts (Latin-1 only) cannot do. Registered once per container."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))
    for bold, italic, name in ((0, 0, FONT), (1, 0, BOLD), (0, 1, FONT), (1, 1, BOLD)):
        addMapping(FONT, bold, italic, name)


class Kit:
    """The shared pieces of every Paydrop PDF: page, fonts, colours, styles, header and footer."""

    def __init__(self, business: dict[str, Any], paper: str, logo: bytes | None, title: str, running_title: str) -> None:
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4, LETTER
        from reportlab.lib.styles import ParagraphStyle

        fonts()
        self.page = LETTER if paper == "Letter" else A4
        self.margin = 40.0
        self.width = self.page[0] - 2 * self.margin
        self.business, self.title, self.running_title, self.logo = business, title, running_title, logo
        chosen = palette(business.get("brand_color"), business.get("accent_color"))
        self.brand = colors.HexColor(chosen.brand)  # the stripe and rules: no text on or in it
        self.ink = colors.HexColor(chosen.ink)  # the brand as text on white paper
        self.accent = colors.HexColor(chosen.tint)  # behind the dark table text
        self.muted = colors.HexColor("#5f6b7a")
        self.rule = colors.HexColor("#d5dae1")
        self.body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8, leading=10, textColor=self.muted)
        self.cell = ParagraphStyle("cell", parent=self.body, leading=11)
        self.h1 = ParagraphStyle("h1", parent=self.body, fontName=BOLD, fontSize=16, leading=20, textColor=self.ink)
        self.h2 = ParagraphStyle("h2", parent=self.body, fontName=BOLD, fontSize=10, leading=14, spaceBefore=10,
                                 spaceAfter=3, textColor=self.ink, keepWithNext=1)
        self.subtitle = ParagraphStyle("subtitle", parent=self.body, fontSize=10, leading=13, textColor=self.muted)

    def text(self, value: str | None, style: Any = None) -> Any:
        """A paragraph of plain text (escaped; line breaks kept)."""
        from reportlab.platypus import Paragraph

        return Paragraph(markup(value), style or self.body)

    def block(self, heading: str, lines: list[str | None]) -> list[Any]:
        return [self.text(heading, self.h2), self.text("\n".join(x for x in lines if x))]

    def header(self, status: str | None) -> Any:
        """Logo, business name and the document's title; the status on the right."""
        from reportlab.platypus import Spacer, Table, TableStyle

        left: list[Any] = []
        image = self._logo_flowable()
        if image is not None:
            left += [image, Spacer(1, 6)]
        left += [self.text(self.business["name"], self.h1), self.text(self.title, self.subtitle)]
        right = self.text(badge(status), right_aligned(self.h2)) if status else ""  # sentence case, as the pages
        table = Table([[left, right]], colWidths=[self.width * 0.7, self.width * 0.3])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        return table

    def two_columns(self, left: list[Any], right: list[Any]) -> Any:
        from reportlab.platypus import Table, TableStyle

        table = Table([[left, right]], colWidths=[self.width / 2] * 2)
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        return table

    def facts(self, pairs: list[tuple[str, str]]) -> Any:
        """A row of labelled facts (number, dates, amount due)."""
        from reportlab.platypus import Table, TableStyle

        table = Table([[self.text(k, self.small) for k, _ in pairs], [self.text(v) for _, v in pairs]],
                      colWidths=[self.width / len(pairs)] * len(pairs))
        table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("LINEBELOW", (0, -1), (-1, -1), 0.5, self.rule)]))
        return table

    def cell_text(self, value: str, width: float) -> Any:
        """A table cell: plain text when it fits on one line (fast), a wrapping paragraph when not."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        if "\n" not in value and stringWidth(value, FONT, 9) <= width - 12:  # the cell pads 6 pt each side
            return value
        return self.text(value, self.cell)

    def grid(self, rows: list[list[Any]], widths: list[float], numeric_from: int, totals_rows: int = 0,
             first_index: int = 1) -> Any:
        """A table whose header row repeats on every page it runs over. `first_index`: which row of
        a longer table the first row after the header is (a page of `long_grid`), so stripes continue."""
        from reportlab.platypus import Table, TableStyle

        table = Table(rows, colWidths=widths, repeatRows=1)
        stripes = [None, self.accent] if first_index % 2 else [self.accent, None]
        style = [
            ("FONT", (0, 0), (-1, -1), FONT, 9), ("FONT", (0, 0), (-1, 0), BOLD, 9),
            ("TEXTCOLOR", (0, 0), (-1, 0), self.ink), ("LINEBELOW", (0, 0), (-1, 0), 1, self.brand),
            ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1 - totals_rows), stripes),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if totals_rows:
            style += [("FONT", (0, -totals_rows), (-1, -1), BOLD, 9),
                      ("LINEABOVE", (0, -totals_rows), (-1, -totals_rows), 0.5, self.rule)]
        table.setStyle(TableStyle(style))
        return table

    def long_grid(self, rows: list[list[Any]], widths: list[float], numeric_from: int, totals_rows: int = 0) -> Any:
        """`grid` for any number of rows: laid out in time linear in the rows (see pdf_rows.py)."""
        from chalicelib.services.billing.pdf_rows import paged_rows

        def make(piece: list[list[Any]], first_index: int, last: bool) -> Any:
            return self.grid(piece, widths, numeric_from, totals_rows if last else 0, first_index)

        return paged_rows(rows[0], rows[1:], widths, make)

    def build(self, story: list[Any]) -> bytes:
        from reportlab.platypus import SimpleDocTemplate

        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            # The frame pads its content by 6 pt: content then spans exactly `self.width` from `self.margin`.
            buffer, pagesize=self.page, leftMargin=self.margin - 6, rightMargin=self.margin - 6,
            topMargin=self.margin - 6, bottomMargin=self.margin + 18, title=self.title, author=self.business["name"],
            creator="Paydrop", invariant=True,
        )
        document.build(story, onFirstPage=self._decorate, onLaterPages=self._decorate, canvasmaker=_numbered_canvas())
        return buffer.getvalue()

    def _decorate(self, canvas: Any, document: Any) -> None:
        """Every page: the brand stripe, the footer; pages after the first: whose document this is."""
        width, height = self.page
        canvas.saveState()
        canvas.setFillColor(self.brand)
        canvas.rect(0, height - 8, width, 8, stroke=0, fill=1)
        canvas.setFillColor(self.muted)
        canvas.setFont(FONT, 8)
        if document.page > 1:
            canvas.drawString(self.margin, height - self.margin + 10, f"{self.business['name']} · {self.running_title}")
        footer = self.business.get("invoice_footer")
        if footer:
            # At most four lines fit under the page's frame; a longer footer is cut there.
            paragraph = (self.text(footer, self.small).split(self.width - 110, 42) or [None])[0]
            if paragraph is not None:
                _, used = paragraph.wrap(self.width - 110, 42)
                paragraph.drawOn(canvas, self.margin, 50 - used)
        canvas.page_label = self.running_title  # for "… · page N of M", drawn when the count is known
        canvas.restoreState()

    def _logo_flowable(self) -> Any:
        if not self.logo:
            return None
        from reportlab.lib.utils import ImageReader
        from reportlab.platypus import Image

        try:
            width, height = ImageReader(io.BytesIO(self.logo)).getSize()
            scale = min(48 / height, 160 / width, 1.0)
            image = Image(io.BytesIO(self.logo), width=width * scale, height=height * scale)
            image.hAlign = "LEFT"
            return image
        except Exception:  # noqa: BLE001 - a logo the image libraries cannot read: print without it
            log.warning("logo could not be decoded; rendering without it")
            return None


@lru_cache(maxsize=1)
def _numbered_canvas() -> Any:
    """A canvas that holds its pages until the end, so each can say "page N of M"."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self.page_label = ""

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            count = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.saveState()
                self.setFont(FONT, 8)
                self.setFillColorRGB(0.37, 0.42, 0.48)
                width = self._pagesize[0]
                self.drawRightString(width - 40, 28, f"{self.page_label} · page {number} of {count}")
                self.restoreState()
                super().showPage()
            super().save()

    return NumberedCanvas


def right_aligned(style: Any) -> Any:
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(f"{style.name}-right", parent=style, alignment=TA_RIGHT)


def markup(value: str | None) -> str:
    """Plain text as reportlab paragraph markup: escaped, line breaks kept."""
    text = (value or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r\n", "\n").replace("\n", "<br/>")


