"""The issue's invoice through the real routes: discounts, two tax rates, a part payment.

The share page, the portal (its list and its document page), the PDF, the staff JSON and the
emailed invoice all print the same figures, and they add up (the readers and the generated
cases are in tests/services/billing/test_figures_everywhere.py). The client page's colours for a
light brand (#ffd54f) reach 4.5:1."""
from __future__ import annotations

import re
from typing import Any

from chalicelib.domain.colours import MINIMUM, contrast
from tests.conftest import Api, Outbox, local_path
from tests.support.client_flows import JSON
from tests.support.figures import Printed, check_adds_up, parse_amount, read_email, read_json, read_page
from tests.support.pdfs import follow_pdf
from tests.support.portal import client_with_contact, portal_link

LINES = [
    {"description": "Design", "quantity": "3", "unit_price": 12500, "tax_rate_bp": 2000, "discount_bp": 1000},
    {"description": "Hosting", "quantity": "1", "unit_price": 51000, "tax_rate_bp": 700},
    {"description": "Hours", "quantity": "2.25", "unit_price": 4000, "tax_rate_bp": 2000, "discount_bp": 500},
]
# 375.00 − 37.50 → 67.50 tax; 510.00 → 35.70; 90.00 − 4.50 → 17.10: subtotal 975.00, discounts 42.00,
# tax 7 % 35.70 + 20 % 84.60, total 1,053.30; paid 200.00, balance 853.30.
EXPECTED = {"subtotal": 97500, "discount": 4200, "tax": 12030, "total": 105330, "paid": 20000, "balance": 85330}


def _read_pdf_text(text: str) -> Printed:
    amounts, totals = [], []
    for line in text.split("\n"):
        line = line.strip()
        match = re.match(r"^(Design|Hosting|Hours)\b.* (−?€[\d,.]+)$", line)
        if match:
            amounts.append(parse_amount(match.group(2), "EUR"))
            continue
        match = re.match(r"^(Subtotal|Discounts|Tax [\d.]+ %|Total|Paid|Balance due) (−?€[\d,.]+)$", line)
        if match:
            totals.append((match.group(1), parse_amount(match.group(2), "EUR")))
    return Printed(amounts, totals)


def test_every_route_prints_the_same_figures_and_they_add_up(tenant: Any, anonymous: Api, outbox: Outbox) -> None:
    assert tenant.api.patch("/api/v1/business", {"brand_color": "#ffd54f"}).status == 200
    client_id, contact_id = client_with_contact(tenant, "Figures Ltd", "fig@figures.test")
    reply = tenant.api.post("/api/v1/invoices", {"client_id": client_id, "currency": "EUR", "lines": LINES})
    assert reply.status == 201, reply.body
    doc_id = reply.json["id"]
    assert tenant.api.post(f"/api/v1/invoices/{doc_id}/send").status == 200
    reply = tenant.api.post(f"/api/v1/invoices/{doc_id}/payments", {"amount": 20000, "method": "bank_transfer",
                                                                    "received_on": "2026-02-03"})
    assert reply.status == 201, reply.body

    staff = tenant.api.get(f"/api/v1/invoices/{doc_id}").json
    share = local_path(tenant.share(doc_id))
    page_html = anonymous.get(share).text
    portal = portal_link(tenant, client_id, contact_id)
    portal_html = anonymous.get(f"{portal}/invoices/{doc_id}").text
    _, pdf = follow_pdf(anonymous, f"{share}/pdf")
    assert tenant.api.post(f"/api/v1/invoices/{doc_id}/email").status == 200
    email = outbox.to("fig@figures.test")[-1].text

    printed = {
        "staff JSON": check_adds_up(read_json(staff), "json"),
        "page": check_adds_up(read_page(page_html, "EUR"), "page"),
        "portal page": check_adds_up(read_page(portal_html, "EUR"), "portal"),
        "pdf": check_adds_up(_read_pdf_text(pdf.text), "pdf"),
        "email": check_adds_up(read_email(email, "EUR"), "email"),
    }
    assert all(figures == EXPECTED for figures in printed.values()), printed
    assert [line["amount"] for line in staff["lines"]] == [37500, 51000, 9000]  # before discount and tax
    assert [(t["rate_bp"], t["amount"]) for t in staff["taxes"]] == [(700, 3570), (2000, 8460)]
    assert "Tax 7 %" in page_html and "Tax 20 %" in page_html and "before discount &amp; tax" in page_html

    listed = anonymous.get(f"{portal}?tab=invoices", headers=JSON).json["items"]
    mine = next(d for d in listed if d["id"] == doc_id)
    assert (mine["total"]["amount"], mine["balance"]["amount"]) == (EXPECTED["total"], EXPECTED["balance"])


def test_a_light_brand_gets_dark_text_on_the_client_page(tenant: Any, anonymous: Api) -> None:
    assert tenant.api.patch("/api/v1/business", {"brand_color": "#ffd54f", "accent_color": "#000000"}).status == 200
    invoice = tenant.invoice()
    html = anonymous.get(local_path(tenant.share(invoice["id"]))).text
    colours = dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6})", html))
    assert colours["brand"] == "#ffd54f"
    assert contrast(colours["brand-fill"], colours["on-brand"]) >= MINIMUM  # the Pay button, the current tab
    assert colours["on-brand"] != "#ffffff"  # before: white on yellow, 1.4:1
    assert contrast(colours["brand-ink"], "#ffffff") >= MINIMUM  # the balance due, printed in the brand colour
    assert contrast(colours["accent"], colours["on-accent"]) >= MINIMUM  # the footer on a black page
    css = html[html.index("<style"):html.index("</style>")]
    # no rule draws text with the raw brand colour, or a fixed colour on it
    for rule in re.findall(r"[^{}]+\{[^}]*\}", css):
        if "var(--brand)" in rule:
            assert "color: var(--brand)" not in rule.replace("background: var(--brand)", "")
            assert not re.search(r"(?<!-)color: #", rule), rule
