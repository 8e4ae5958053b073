"""PDFs of invoices, quotes and statements: rendered with reportlab on demand, cached in the
files bucket, delivered by a presigned S3 GET (never a base64 body through API Gateway).

An invoice or quote PDF is made from the same `public_view` the client's page shows, so the
two say the same thing. Its cache key is `pdfs/{bid}/{doc_id}/v{version}-{paper}.pdf`; a HEAD
finds it, and its `fingerprint` metadata (a hash of everything printed: the view without its
URLs, the logo's key, the paper, the layout's revision) says whether it is still right. A new
version of the document is a new key; what changes without a new version (the business's
branding, "overdue" as the due date passes) fails the fingerprint and is rendered again over
the same key. A statement's key is the hash of its content, so the same statement is rendered
once.

reportlab is imported inside the render functions only: `import app` (every page's cold
start) never pays for it; the first PDF of a container does (see docs/PERFORMANCE.md).
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain import invoices as rules
from chalicelib.domain import statements as rules_statements
from chalicelib.domain.money import format_amount
from chalicelib.services.invoice_page import public_view
from chalicelib.store import documents as docs
from chalicelib.store.businesses import Business
from chalicelib.store.clients import Client
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import utcnow

log = logging.getLogger("paydrop.pdfs")

LAYOUT = "1"  # bump when the layout changes: every cached PDF is rendered again on its next download
PAPERS = ("A4", "Letter")
URL_TTL_SECONDS = 300
RENDERS_PER_MINUTE = 30  # per client: cached downloads never count, only new renders
FONTS = Path(__file__).resolve().parent.parent / "fonts"
FONT, BOLD = "PaydropSans", "PaydropSans-Bold"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Delivery:
    url: str  # a presigned GET, ≤ 300 s, `Content-Disposition: attachment`
    key: str
    rendered: bool  # False: served from the cache


def paper_of(business: Business) -> str:
    return business.paper_size if business.paper_size in PAPERS else "A4"


# --- invoices and quotes --------------------------------------------------------------


def document_content(view: dict[str, Any], kind: str) -> dict[str, Any]:
    """What goes on paper: the page's view without its links (files, pay button, logo URL)."""
    b, i = view["business"], view["invoice"]
    return {
        "label": "Quote" if kind == rules.QUOTE else "Invoice",
        "business": {k: b[k] for k in ("name", "email", "phone", "address", "tax_number", "brand_color",
                                       "accent_color", "invoice_footer")},
        "invoice": {k: i[k] for k in ("number", "status", "currency", "issue_date", "due_date", "po_number", "bill_to",
                                      "lines", "subtotal", "discount_total", "tax_total", "total", "amount_paid",
                                      "balance", "notes", "terms", "payments")},
    }


def document_key(business_id: str, doc_id: str, version: int, paper: str) -> str:
    return f"pdfs/{business_id}/{doc_id}/v{version}-{paper}.pdf"


def document_pdf(business: Business, document: docs.Document, stored: list[Any], today: date) -> Delivery:
    """The document's PDF (rendered now only if the cached one is missing or out of date)."""
    content = document_content(public_view(business, document, stored, today), document.kind)
    paper = paper_of(business)
    key = document_key(business.business_id, document.doc_id, int(document.version or 0), paper)
    fingerprint = _hash({"content": content, "logo": business.logo_key, "paper": paper, "layout": LAYOUT})
    rendered = _ensure(key, fingerprint, f"{business.business_id}#{document.client_id}",
                       lambda: render_document(content, paper, _logo(business)))
    return Delivery(_presign(key, f"{document.number}.pdf"), key, rendered)


# --- statements -----------------------------------------------------------------------


def statement_content(business: Business, client: Client, period: rules_statements.Period) -> dict[str, Any]:
    def money(amount: int, currency: str) -> str:
        return format_amount(amount, currency)

    return {
        "business": {"name": business.name, "email": business.email, "phone": business.phone,
                     "address": business.address, "tax_number": business.tax_number,
                     "brand_color": business.brand_color, "accent_color": business.accent_color,
                     "invoice_footer": business.invoice_footer},
        "client": {"name": client.name, "email": client.email, "address": client.address,
                   "tax_number": client.tax_number},
        "from": period.start.isoformat(), "to": period.end.isoformat(),
        "sections": [{
            "currency": s.currency, "opening": money(s.opening, s.currency), "closing": money(s.closing, s.currency),
            "lines": [{"on": line.on, "description": line.description,
                       "debit": money(line.debit, s.currency) if line.debit else "",
                       "credit": money(line.credit, s.currency) if line.credit else "",
                       "balance": money(line.balance, s.currency)} for line in s.lines],
            "ageing": [money(s.ageing[b], s.currency) for b in rules_statements.BUCKETS],
            "open_total": money(s.open_total, s.currency),
        } for s in period.sections],
    }


def statement_pdf(business: Business, client: Client, period: rules_statements.Period) -> Delivery:
    """The statement's PDF, cached under the hash of what it says."""
    content = statement_content(business, client, period)
    paper = paper_of(business)
    digest = _hash({"content": content, "logo": business.logo_key, "paper": paper, "layout": LAYOUT})
    key = f"pdfs/{business.business_id}/statements/{client.client_id}/{digest}.pdf"
    rendered = _ensure(key, digest, f"{business.business_id}#{client.client_id}",
                       lambda: render_statement(content, paper, _logo(business)))
    filename = f"statement-{period.start.isoformat()}-{period.end.isoformat()}.pdf"
    return Delivery(_presign(key, filename), key, rendered)


# --- the cache --------------------------------------------------------------------------


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:40]


def _ensure(key: str, fingerprint: str, limit_key: str, render: Callable[[], bytes]) -> bool:
    """Make sure `key` holds the PDF with this fingerprint (HEAD first); True if it was rendered now."""
    from botocore.exceptions import ClientError

    bucket = settings().files_bucket
    try:
        head = s3().head_object(Bucket=bucket, Key=key)
        if head.get("Metadata", {}).get("fingerprint") == fingerprint:
            return False
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
            raise
    hit(f"pdf-render#{limit_key}", RENDERS_PER_MINUTE, 60, utcnow(),
        "Too many PDFs at once. Wait a minute and try again.")
    body = render()
    # Under pdfs/, outside uploads/: the bucket notifies the previews queue for uploads/ only.
    s3().put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/pdf",
                    Metadata={"fingerprint": fingerprint})
    return True


def _presign(key: str, filename: str) -> str:
    safe = _SAFE_NAME.sub("-", filename).strip("-.") or "document.pdf"
    return str(s3().generate_presigned_url("get_object", ExpiresIn=min(URL_TTL_SECONDS, settings().presign_ttl_seconds),
                                           Params={"Bucket": settings().files_bucket, "Key": key,
                                                   "ResponseContentType": "application/pdf",
                                                   "ResponseContentDisposition": f'attachment; filename="{safe}"'}))


def _logo(business: Business) -> bytes | None:
    """The logo's bytes from S3 (≤ 1 MB by the upload's policy), or None: a PDF without a logo
    beats no PDF."""
    if not business.logo_key:
        return None
    from botocore.exceptions import ClientError

    try:
        return bytes(s3().get_object(Bucket=settings().files_bucket, Key=business.logo_key)["Body"].read())
    except ClientError:
        log.warning("logo of business %s could not be read; rendering without it", business.business_id)
        return None


# --- rendering (reportlab, imported here only) -------------------------------------------


@lru_cache(maxsize=1)
def _fonts() -> None:
    """DejaVu Sans, embedded (subset): Latin, Greek and Cyrillic names print as typed, which
    the PDF base fonts (Latin-1 only) cannot do. Registered once per container."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))
    for bold, italic, name in ((0, 0, FONT), (1, 0, BOLD), (0, 1, FONT), (1, 1, BOLD)):
        addMapping(FONT, bold, italic, name)


class _Kit:
    """The shared pieces of every Paydrop PDF: page, fonts, colours, styles, header and footer."""

    def __init__(self, business: dict[str, Any], paper: str, logo: bytes | None, title: str, running_title: str) -> None:
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4, LETTER
        from reportlab.lib.styles import ParagraphStyle

        _fonts()
        self.page = LETTER if paper == "Letter" else A4
        self.margin = 40.0
        self.width = self.page[0] - 2 * self.margin
        self.business, self.title, self.running_title, self.logo = business, title, running_title, logo
        self.brand = _color(colors, business.get("brand_color"), "#1f4b99")
        self.accent = _color(colors, business.get("accent_color"), "#f2f5fa")
        self.muted = colors.HexColor("#5f6b7a")
        self.rule = colors.HexColor("#d5dae1")
        self.body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8, leading=10, textColor=self.muted)
        self.cell = ParagraphStyle("cell", parent=self.body, leading=11)
        self.h1 = ParagraphStyle("h1", parent=self.body, fontName=BOLD, fontSize=16, leading=20, textColor=self.brand)
        self.h2 = ParagraphStyle("h2", parent=self.body, fontName=BOLD, fontSize=10, leading=14, spaceBefore=10,
                                 spaceAfter=3, textColor=self.brand, keepWithNext=1)
        self.subtitle = ParagraphStyle("subtitle", parent=self.body, fontSize=10, leading=13, textColor=self.muted)

    def text(self, value: str | None, style: Any = None) -> Any:
        """A paragraph of plain text (escaped; line breaks kept)."""
        from reportlab.platypus import Paragraph

        return Paragraph(_markup(value), style or self.body)

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
        right = self.text(status.upper(), _right(self.h2)) if status else ""
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

    def grid(self, rows: list[list[Any]], widths: list[float], numeric_from: int, totals_rows: int = 0) -> Any:
        """A table whose header row repeats on every page it runs over."""
        from reportlab.platypus import Table, TableStyle

        table = Table(rows, colWidths=widths, repeatRows=1)
        style = [
            ("FONT", (0, 0), (-1, -1), FONT, 9), ("FONT", (0, 0), (-1, 0), BOLD, 9),
            ("TEXTCOLOR", (0, 0), (-1, 0), self.brand), ("LINEBELOW", (0, 0), (-1, 0), 1, self.brand),
            ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1 - totals_rows), [None, self.accent]),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if totals_rows:
            style += [("FONT", (0, -totals_rows), (-1, -1), BOLD, 9),
                      ("LINEABOVE", (0, -totals_rows), (-1, -totals_rows), 0.5, self.rule)]
        table.setStyle(TableStyle(style))
        return table

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


def _color(colors: Any, value: str | None, fallback: str) -> Any:
    try:
        return colors.HexColor(value or fallback)
    except ValueError:
        return colors.HexColor(fallback)


def _right(style: Any) -> Any:
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(f"{style.name}-right", parent=style, alignment=TA_RIGHT)


def _markup(value: str | None) -> str:
    """Plain text as reportlab paragraph markup: escaped, line breaks kept."""
    text = (value or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r\n", "\n").replace("\n", "<br/>")


def _payment_words(p: dict[str, Any]) -> str:
    """The page's words for a ledger entry (invoice.html)."""
    amount = p["amount"]["display"]
    if p["kind"] == "refund":
        words = f"Refunded {amount}"
    elif p["kind"] == "credit":
        words = f"Credit of {amount} applied"
    elif p["kind"] == "dispute":
        words = f"Disputed {amount} ({p['dispute_status']})"
    else:
        words = f"{amount} received"
    words += f" on {p['received_on']}"
    if p["kind"] == "payment":
        words += f" ({'card' if p['method'] == 'stripe' else str(p['method']).replace('_', ' ')})"
    return words


def render_document(content: dict[str, Any], paper: str = "A4", logo: bytes | None = None) -> bytes:
    """An invoice or quote as PDF bytes, from `document_content` (the page's view)."""
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    label, business, invoice = content["label"], content["business"], content["invoice"]
    title = f"{label} {invoice['number']}"
    kit = _Kit(business, paper, logo, title, title)
    cancelled = invoice["status"] == rules.CANCELLED
    facts = [(f"{label} number", invoice["number"]), ("Issued", invoice["issue_date"])]
    if invoice["due_date"]:
        facts.append(("Due", invoice["due_date"]))
    if invoice["po_number"]:
        facts.append(("PO number", invoice["po_number"]))
    if not cancelled:
        facts.append(("Amount due", invoice["balance"]["display"]))
    bill_to = invoice["bill_to"]
    story: list[Any] = [
        kit.header(invoice["status"]), Spacer(1, 12), kit.facts(facts), Spacer(1, 8),
        kit.two_columns(
            kit.block("Bill to", [bill_to["name"], bill_to["address"], bill_to["email"],
                                  f"Tax no. {bill_to['tax_number']}" if bill_to["tax_number"] else None]),
            kit.block("From", [business["name"], business["address"], business["email"], business["phone"],
                               f"Tax no. {business['tax_number']}" if business["tax_number"] else None])),
        Spacer(1, 10),
    ]
    numbers = [50.0, 85.0, 45.0, 85.0]
    description_width = kit.width - sum(numbers)
    rows: list[list[Any]] = [["Item", "Qty", "Unit price", "Tax", "Amount"]]
    for line in invoice["lines"]:
        text = line["description"]
        if line["discount_percent"] != "0":
            text += f" (−{line['discount_percent']}\u00a0%)"  # no break inside "10 %"
        rows.append([kit.cell_text(text, description_width), line["quantity"], line["unit_price"]["display"],
                     f"{line['tax_rate_percent']} %", line["net"]["display"]])
    story.append(kit.grid(rows, [description_width, *numbers], numeric_from=1))

    totals: list[tuple[str, str]] = [("Subtotal", invoice["subtotal"]["display"])]
    if invoice["discount_total"]["amount"]:
        totals.append(("Discounts", f"−{invoice['discount_total']['display']}"))
    totals += [("Tax", invoice["tax_total"]["display"]), ("Total", invoice["total"]["display"])]
    if invoice["amount_paid"]["amount"]:
        totals.append(("Paid", f"−{invoice['amount_paid']['display']}"))
    totals.append(("Cancelled", "nothing to pay") if cancelled else ("Balance due", invoice["balance"]["display"]))
    table = Table(totals, colWidths=[100, 120], hAlign="RIGHT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 9), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("FONT", (0, 3), (-1, 3), BOLD, 9), ("LINEABOVE", (0, 3), (-1, 3), 0.5, kit.rule),
        ("FONT", (0, -1), (-1, -1), BOLD, 11), ("TEXTCOLOR", (0, -1), (-1, -1), kit.brand),
        ("LINEABOVE", (0, -1), (-1, -1), 1, kit.brand), ("TOPPADDING", (0, -1), (-1, -1), 5),
    ]))
    story += [Spacer(1, 6), KeepTogether([table])]

    if invoice["payments"]:
        story.append(kit.text("Payments", kit.h2))
        story += [kit.text(f"• {_payment_words(p)}") for p in invoice["payments"]]
    if invoice["notes"]:
        story += [kit.text("Notes", kit.h2), kit.text(invoice["notes"])]
    if invoice["terms"]:
        story += [kit.text("Terms", kit.h2), kit.text(invoice["terms"])]
    return kit.build(story)


def render_statement(content: dict[str, Any], paper: str = "A4", logo: bytes | None = None) -> bytes:
    """A statement of account as PDF bytes, from `statement_content`."""
    from reportlab.platypus import KeepTogether, Spacer

    business, client = content["business"], content["client"]
    period = f"{content['from']} to {content['to']}"
    kit = _Kit(business, paper, logo, f"Statement for {client['name']}", f"Statement {period}")
    story: list[Any] = [
        kit.header(None), Spacer(1, 12),
        kit.facts([("Period", period),
                   (f"Balance at {content['to']}", " + ".join(s["closing"] for s in content["sections"]))]),
        Spacer(1, 8),
        kit.two_columns(
            kit.block("Statement for", [client["name"], client["address"], client["email"],
                                        f"Tax no. {client['tax_number']}" if client["tax_number"] else None]),
            kit.block("From", [business["name"], business["address"], business["email"], business["phone"],
                               f"Tax no. {business['tax_number']}" if business["tax_number"] else None])),
    ]
    numbers = [85.0, 85.0, 90.0]
    date_width = 62.0
    description_width = kit.width - date_width - sum(numbers)
    for section in content["sections"]:
        story.append(kit.text(f"Account in {section['currency']}", kit.h2))
        rows: list[list[Any]] = [["Date", "Description", "Debit", "Credit", "Balance"],
                                 [content["from"], "Opening balance", "", "", section["opening"]]]
        rows += [[line["on"], kit.cell_text(line["description"], description_width), line["debit"], line["credit"],
                  line["balance"]] for line in section["lines"]]
        rows.append([content["to"], "Closing balance", "", "", section["closing"]])
        story.append(kit.grid(rows, [date_width, description_width, *numbers], numeric_from=2, totals_rows=1))
        ageing_rows = [["Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days", "Total open"],
                       [*section["ageing"], section["open_total"]]]
        ageing = kit.grid(ageing_rows, [kit.width / 6] * 6, numeric_from=0)
        story.append(KeepTogether([kit.text(f"Open invoices at {content['to']}, by days past due", kit.h2), ageing]))
    return kit.build(story)
