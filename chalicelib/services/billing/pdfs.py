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
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib import clock
from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain import formatting
from chalicelib.domain import invoices as rules
from chalicelib.domain import statements as rules_statements
from chalicelib.services.billing.pdf_layouts import render_document, render_statement
from chalicelib.services.portal.page_locale import page_locale, stored_client_locale
from chalicelib.services.portal.share_page import public_view
from chalicelib.store import documents as docs
from chalicelib.store.businesses import Business
from chalicelib.store.clients import Client, get_client
from chalicelib.store.rate_limits import hit

log = logging.getLogger("paydrop.pdfs")

# Bump when the layout changes: every cached PDF is rendered again on its next download.
# 2: line amounts before discount and tax, tax per rate, readable brand colours.
# 3: amounts and dates in the business's locale (domain/formatting.py).
# 4: the client's own locale, quantities and rates as numbers of the locale.
LAYOUT = "4"
PAPERS = ("A4", "Letter")
URL_TTL_SECONDS = 300
RENDERS_PER_MINUTE = 30  # per client: cached downloads never count, only new renders
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
    return formatting.localized({
        "label": "Quote" if kind == rules.QUOTE else "Invoice",
        "business": {k: b[k] for k in ("name", "email", "phone", "address", "tax_number", "brand_color",
                                       "accent_color", "invoice_footer")},
        "invoice": {k: i[k] for k in ("number", "status", "currency", "issue_date", "due_date", "po_number", "bill_to",
                                      "lines", "subtotal", "discount_total", "taxes", "tax_total", "total",
                                      "amount_paid", "balance", "rows", "notes", "terms", "payments")},
    }, view.get("locale") or formatting.locale_of(b))  # as the page: the client's locale, else the business's


def _reader(business: Business, document: docs.Document, stored: list[Any]) -> str:
    """The locale the invoice's client reads (its own, else the business's), as on its page: the
    share link reads the client with the invoice; the portal and staff routes do not."""
    if any(isinstance(item, Client) for item in stored):
        return page_locale(business, stored_client_locale(stored))
    client = get_client(business.business_id, str(document.client_id)) if document.client_id else None
    return formatting.locale_of(business, client)


def document_key(business_id: str, doc_id: str, version: int, paper: str) -> str:
    return f"pdfs/{business_id}/{doc_id}/v{version}-{paper}.pdf"


def document_pdf(business: Business, document: docs.Document, stored: list[Any], today: date) -> Delivery:
    """The document's PDF (rendered now only if the cached one is missing or out of date)."""
    content = document_content(public_view(business, document, stored, today, locale=_reader(business, document, stored)),
                               document.kind)
    paper = paper_of(business)
    key = document_key(business.business_id, document.doc_id, int(document.version or 0), paper)
    fingerprint = _hash({"content": content, "logo": business.logo_key, "paper": paper, "layout": LAYOUT})
    rendered = _ensure(key, fingerprint, f"{business.business_id}#{document.client_id}",
                       lambda: render_document(content, paper, _logo(business)))
    return Delivery(_presign(key, f"{document.number}.pdf"), key, rendered)


# --- statements -----------------------------------------------------------------------


def statement_content(business: Business, client: Client, period: rules_statements.Period) -> dict[str, Any]:
    locale = formatting.locale_of(business, client)

    def money(amount: int, currency: str) -> str:
        return formatting.money(amount, currency, locale)

    return {
        "business": {"name": business.name, "email": business.email, "phone": business.phone,
                     "address": business.address, "tax_number": business.tax_number,
                     "brand_color": business.brand_color, "accent_color": business.accent_color,
                     "invoice_footer": business.invoice_footer},
        "client": {"name": client.name, "email": client.email, "address": client.address,
                   "tax_number": client.tax_number},
        "from": formatting.day(period.start, locale), "to": formatting.day(period.end, locale),
        "sections": [{
            "currency": s.currency, "opening": money(s.opening, s.currency), "closing": money(s.closing, s.currency),
            "lines": [{"on": formatting.day(line.on, locale),
                       "description": line.description + (f" (due {formatting.day(line.due, locale)})" if line.due else ""),
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


def cached_pdf(business: Business, key: str, content: dict[str, Any], limit_key: str,
               render: Callable[[dict[str, Any], str, bytes | None], bytes], filename: str) -> Delivery:
    """Any other PDF (receipts): cached at `key` under the hash of what it says, in the business's
    paper and with its logo, rendered by `render(content, paper, logo)`."""
    paper = paper_of(business)
    digest = _hash({"content": content, "logo": business.logo_key, "paper": paper, "layout": LAYOUT})
    rendered = _ensure(key, digest, limit_key, lambda: render(content, paper, _logo(business)))
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
    hit(f"pdf-render#{limit_key}", RENDERS_PER_MINUTE, 60, clock.now(),
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
