"""PDFs: what reportlab costs to import, and how long a 100-line invoice takes to render warm.

1. Import cost, fresh interpreter per sample, alternated with a bare `import boto3` (the
   baseline of bench/cold_start.py), Lambda-like environment: in a process that has already
   imported the app (as the page Lambda has), the reportlab modules the renderer uses, then
   registering the embedded font (DejaVu Sans), then the first render. `import app` itself
   loads none of it (tests/test_cold_start_imports.py), so only the first PDF of a container
   pays this.
2. Warm render: `services.pdfs.render_document` of a 100-line invoice built by the page's own
   `public_view` (in memory, no AWS), with a logo and some wrapping descriptions, N times after
   a warm-up; median and p90. Budget (ARCHITECTURE.md): < 100 ms. Exit code 1 when over.

    .venv/bin/python bench/pdf.py [--rounds 9] [--renders 30]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.cold_start import LAMBDA_ENV  # noqa: E402

BUDGET_MS = 100.0
CHILD = """
import json, time
t0 = time.perf_counter()
{baseline}
t1 = time.perf_counter()
import reportlab.platypus, reportlab.pdfgen.canvas, reportlab.pdfbase.ttfonts, reportlab.lib.styles, reportlab.lib.utils
t2 = time.perf_counter()
from chalicelib.services.billing import pdf_kit
from chalicelib.services.billing import pdfs
pdf_kit.fonts()
t3 = time.perf_counter()
from bench.pdf import invoice_content
content = invoice_content(100)
t4 = time.perf_counter()
pdfs.render_document(content, "A4", None)
t5 = time.perf_counter()
print(json.dumps({{"before": t1 - t0, "reportlab": t2 - t1, "fonts": t3 - t2, "first_render": t5 - t4}}))
"""


def _child(baseline: str) -> dict[str, float]:
    env = {**os.environ, **LAMBDA_ENV, "PYTHONDONTWRITEBYTECODE": "0"}
    out = subprocess.run([sys.executable, "-c", CHILD.format(baseline=baseline)], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _boto3() -> float:
    env = {**os.environ, **LAMBDA_ENV, "PYTHONDONTWRITEBYTECODE": "0"}
    code = "import time; t = time.perf_counter(); import boto3; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def invoice_content(lines: int) -> dict[str, object]:
    """A sent invoice of `lines` lines, every 7th description long enough to wrap, as the page sees it."""
    from chalicelib.domain import invoices as rules
    from chalicelib.services.billing.pdfs import document_content
    from chalicelib.services.portal.share_page import public_view
    from chalicelib.store.businesses import Business
    from chalicelib.store.documents import BillTo, LineMap, new_document

    business = Business("BIZ#bench", "PROFILE", business_id="bench", name="Northwind Studio",
                        address="Hauptstraße 1\n10115 Berlin", email="hello@northwind.test",
                        tax_number="DE123456789", invoice_footer="IBAN DE00 1234 5678 9000",
                        created_at="2026-01-01T00:00:00.000Z", updated_at="2026-01-01T00:00:00.000Z")
    items, subtotal, tax = [], 0, 0
    for n in range(lines):
        description = f"Design and build, part {n + 1}"
        if n % 7 == 0:
            description += ": workshops, two rounds of revisions, final artwork in every format the client asked for"
        line = rules.Line(description, rules.Decimal("1.5"), 12_000 + n, 1900, 1000 if n % 5 == 0 else 0)
        totals = rules.line_totals(line)
        subtotal, tax = subtotal + totals.net, tax + totals.tax
        items.append(LineMap(description=description, quantity="1.5", unit_price=line.unit_price, tax_rate_bp=1900,
                             discount_bp=line.discount_bp, net=totals.net, tax=totals.tax))
    document = new_document("bench", "doc", rules.INVOICE, "2026-01-01T00:00:00.000Z", number="INV-0100", status=rules.PARTIAL,
                            client_id="client", bill_to=BillTo(name="Acme Ltd", address="1 Road\nLondon"), currency="EUR",
                            issue_date="2026-01-01", due_date="2026-01-15", lines=items, subtotal=subtotal, tax_total=tax,
                            total=subtotal + tax, amount_paid=10_000, notes="Thank you.", terms="Net 14 days",
                            updated_at="2026-01-01T00:00:00.000Z")
    return document_content(public_view(business, document, [], date(2026, 1, 10)), rules.INVOICE)


def _logo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (400, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((0, 0, 120, 120), fill=(31, 75, 153, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=9, help="fresh interpreters for the import cost")
    parser.add_argument("--renders", type=int, default=30, help="warm renders of the 100-line invoice")
    args = parser.parse_args()

    _child("import app")  # warm the OS file cache and the .pyc files
    _boto3()
    boto3_times, children = [], []
    for _ in range(args.rounds):
        boto3_times.append(_boto3())
        children.append(_child("import app"))

    def median_ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    boto3_ms = median_ms(boto3_times)
    reportlab_ms = median_ms([c["reportlab"] for c in children])
    fonts_ms = median_ms([c["fonts"] for c in children])
    first_ms = median_ms([c["first_render"] for c in children])
    print(f"import cost, {args.rounds} fresh interpreters (alternated, Lambda-like environment), medians:")
    print(f"  import boto3 (baseline)                      {boto3_ms:7.1f} ms")
    print(f"  reportlab modules, after `import app`        {reportlab_ms:7.1f} ms   = {reportlab_ms / boto3_ms:.2f} × boto3")
    print(f"  + registering DejaVu Sans (regular, bold)    {fonts_ms:7.1f} ms")
    print(f"  + first render of the 100-line invoice       {first_ms:7.1f} ms")
    print(f"  first PDF of a container, all of the above   {reportlab_ms + fonts_ms + first_ms:7.1f} ms")

    from chalicelib.services.billing import pdfs

    content, logo = invoice_content(100), _logo()
    for paper in ("A4", "Letter"):
        pdfs.render_document(content, paper, logo)  # warm: modules, fonts, the logo's decoder
    samples = []
    data = b""
    for _ in range(args.renders):
        start = time.perf_counter()
        data = pdfs.render_document(content, "A4", logo)
        samples.append(time.perf_counter() - start)
    samples.sort()
    median = median_ms(samples)
    p90 = samples[int(len(samples) * 0.9) - 1] * 1000
    import pypdfium2

    pages = len(pypdfium2.PdfDocument(data))
    print(f"warm render, 100-line invoice with a logo (A4, {pages} pages, {len(data) / 1024:.0f} KB), {args.renders} renders:")
    print(f"  median {median:.1f} ms   p90 {p90:.1f} ms   min {samples[0] * 1000:.1f} ms   "
          f"(budget < {BUDGET_MS:.0f} ms) -> {'OK' if median < BUDGET_MS else 'OVER BUDGET'}")
    return 0 if median < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
