"""PDFs of invoices, quotes and statements: rendered through the routes, downloaded through the
presigned URL, opened with pypdfium2 (page 1 rendered to an image, text extracted)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.formatting import day as printed
from tests.conftest import Api, local_path
from tests.support.client_flows import JSON, signed_in
from tests.support.pdfs import Pdf, fetch_bytes, follow_pdf
from tests.support.portal import client_with_contact, make_document, portal_link

A4 = (595, 842)
LETTER = (612, 792)


def _staff_pdf(tenant: Any, path: str) -> Pdf:
    reply = tenant.api.get(path)
    assert reply.status == 200, reply.body
    return Pdf(fetch_bytes(reply.json["url"]))


@pytest.fixture
def s3_puts(chalice_app: Any) -> Iterator[list[str]]:
    """Keys the app writes to S3 while the test runs (botocore `before-call` hook)."""
    from chalicelib.aws import s3

    keys: list[str] = []
    events = s3().meta.events

    def record(params: Any, **_: Any) -> None:
        keys.append(params["url_path"])

    events.register("before-call.s3.PutObject", record)
    yield keys
    events.unregister("before-call.s3.PutObject", record)


def _branded(tenant: Any, **extra: Any) -> None:
    reply = tenant.api.patch("/api/v1/business", {"name": "Northwind Studio", "address": "Hauptstraße 1\n10115 Berlin",
                                                  "brand_color": "#aa3300", "invoice_footer": "IBAN DE00 1234 5678 9000",
                                                  **extra})
    assert reply.status == 200, reply.body


def test_the_share_link_pdf_says_what_the_page_says(tenant: Any, anonymous: Api, s3_puts: list[str]) -> None:
    _branded(tenant)
    client_id, _ = client_with_contact(tenant, "Łódź Café Ltd")
    invoice = make_document(tenant, client_id, amount=0, notes="Thank you & see you soon", terms="Net 14 days",
                        lines=[{"description": "Brand workshop", "quantity": "2", "unit_price": 45000, "tax_rate_bp": 1900},
                               {"description": "Logo files — Москва edition", "unit_price": 12050, "discount_bp": 1000}])
    reply = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {"amount": 20000, "method": "bank_transfer",
                                                                            "received_on": "2026-02-03"})
    assert reply.status == 201, reply.body
    share = local_path(tenant.share(invoice["id"]))
    page = anonymous.get(share, headers=JSON).json["invoice"]
    html = anonymous.get(share).text
    assert f'href="https://pay.example.test{share}/pdf"' in html and "Download PDF" in html

    reply, pdf = follow_pdf(anonymous, f"{share}/pdf")
    assert len(s3_puts) == 1 and f"/{invoice['id']}/v" in s3_puts[0] and s3_puts[0].endswith("-A4.pdf")
    assert "/pdfs/" in s3_puts[0] and "/uploads/" not in s3_puts[0]  # never a previews-worker event
    query = parse_qs(urlsplit(reply.headers["Location"]).query)
    assert int(query["X-Amz-Expires"][0]) <= 300
    assert query["response-content-disposition"] == [f'attachment; filename="{invoice["number"]}.pdf"']
    assert query["response-content-type"] == ["application/pdf"]
    assert pdf.sizes[0] == A4
    text = pdf.text
    for expected in ("Northwind Studio", "Hauptstraße 1", f"Invoice {invoice['number']}", "Łódź Café Ltd",
                     "Brand workshop", "Logo files — Москва edition (−10 %)", "19 %",
                     f"Subtotal {page['subtotal']['display']}", f"Tax 19 % {page['tax_total']['display']}",
                     f"Total {page['total']['display']}", f"Paid −{page['amount_paid']['display']}",
                     f"Balance due {page['balance']['display']}", "€200.00 received on 3 Feb 2026 (bank transfer)",
                     "Thank you & see you soon", "Net 14 days", "IBAN DE00 1234 5678 9000", "page 1 of 1", "Partly paid"):
        assert expected in text, (expected, text)
    # The figures themselves: 2 × 450.00 + 19 % tax, and 120.50 − 10 %.
    assert page["total"]["display"] == "€1,179.45" and page["balance"]["display"] == "€979.45"


def test_a_logo_from_s3_is_drawn(tenant: Any, anonymous: Api) -> None:
    import io

    import requests
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (300, 100), (200, 30, 30)).save(image, "PNG")
    plan = tenant.api.post("/api/v1/business/logo-upload", {"content_type": "image/png", "size": len(image.getvalue())}).json
    requests.post(plan["url"], data=plan["fields"], files={"file": ("logo.png", image.getvalue(), "image/png")}, timeout=10)
    assert tenant.api.patch("/api/v1/business", {"logo_key": plan["key"]}).status == 200
    invoice = tenant.invoice()
    pdf_url = tenant.api.get(f"/api/v1/invoices/{invoice['id']}/pdf").json["url"]
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(fetch_bytes(pdf_url))[0]
    rendered = page.render(scale=1).to_pil().convert("RGB")
    reds = sum(1 for r, g, b in rendered.getdata() if r > 150 and g < 80 and b < 80)
    assert reds > 1000  # the red logo is on the page (the default brand colour is blue)


def test_a_long_invoice_runs_over_pages_with_the_header_repeated(tenant: Any) -> None:
    lines = [{"description": f"Line item number {n:03d}", "unit_price": 1000 + n} for n in range(120)]
    invoice = tenant.invoice(lines=lines)
    pdf = _staff_pdf(tenant, f"/api/v1/invoices/{invoice['id']}/pdf")
    assert len(pdf.pages) >= 2
    assert "Line item number 000" in pdf.pages[0] and "Line item number 119" in pdf.pages[-1]
    for page in pdf.pages[1:]:
        assert "Item" in page and "Unit price" in page and f"Invoice {invoice['number']}" in page
    assert all(f"Line item number {n:03d}" in pdf.text for n in range(120))
    assert f"page {len(pdf.pages)} of {len(pdf.pages)}" in pdf.pages[-1]


def test_letter_paper_is_a_business_setting(tenant: Any) -> None:
    invoice = tenant.invoice()
    assert tenant.api.get("/api/v1/business").json["paper_size"] == "A4"
    assert _staff_pdf(tenant, f"/api/v1/invoices/{invoice['id']}/pdf").sizes[0] == A4
    reply = tenant.api.patch("/api/v1/business", {"paper_size": "Letter"})
    assert reply.status == 200 and reply.json["paper_size"] == "Letter"
    assert _staff_pdf(tenant, f"/api/v1/invoices/{invoice['id']}/pdf").sizes[0] == LETTER
    assert tenant.api.patch("/api/v1/business", {"paper_size": "A5"}).status == 400


def test_a_pdf_is_rendered_once_per_version(tenant: Any, anonymous: Api, s3_puts: list[str], previews_worker: Any) -> None:
    invoice = tenant.invoice()
    share = local_path(tenant.share(invoice["id"]))
    follow_pdf(anonymous, f"{share}/pdf")
    assert len(s3_puts) == 1
    assert previews_worker.queued() == 0  # pdfs/ is outside uploads/: S3 does not notify the previews queue
    first_key = s3_puts[0]
    follow_pdf(anonymous, f"{share}/pdf")
    _staff_pdf(tenant, f"/api/v1/invoices/{invoice['id']}/pdf")
    assert len(s3_puts) == 1  # the cached render (HEAD, then a presigned GET)
    # An edit makes a new version: a new render under a new key, with the new text.
    assert tenant.api.patch(f"/api/v1/invoices/{invoice['id']}", {"notes": "Updated notes"}).status == 200
    _, pdf = follow_pdf(anonymous, f"{share}/pdf")
    assert len(s3_puts) == 2 and s3_puts[1] != first_key and "Updated notes" in pdf.text
    follow_pdf(anonymous, f"{share}/pdf")
    assert len(s3_puts) == 2
    # What changes without a new version (the business's branding) is rendered again, over the same key.
    assert tenant.api.patch("/api/v1/business", {"name": "Renamed Studio"}).status == 200
    _, pdf = follow_pdf(anonymous, f"{share}/pdf")
    assert len(s3_puts) == 3 and s3_puts[2] == s3_puts[1] and "Renamed Studio" in pdf.text


def test_revoked_unknown_and_draft_links_have_no_pdf(tenant: Any, anonymous: Api) -> None:
    invoice = tenant.invoice()
    share = local_path(tenant.share(invoice["id"]))
    assert anonymous.get(f"{share}/pdf").status == 302
    assert tenant.api.delete(f"/api/v1/invoices/{invoice['id']}/share").status == 200
    assert anonymous.get(f"{share}/pdf").status == 404
    assert anonymous.get(f"/invoice/{'A' * 43}/pdf").status == 404
    assert anonymous.get("/invoice/short/pdf", headers=JSON).json["error"]["code"] == "not_found"


def test_portal_pdfs_are_scoped_to_the_portals_client(tenant: Any, anonymous: Api, make_tenant: Any) -> None:
    client_id, contact_id = client_with_contact(tenant)
    invoice = make_document(tenant, client_id)
    quote = make_document(tenant, client_id, kind="quote")
    draft = make_document(tenant, client_id, send=False)
    path = portal_link(tenant, client_id, contact_id)
    assert f'href="https://pay.example.test{path}/invoices/{invoice["id"]}/pdf"' in anonymous.get(
        f"{path}/invoices/{invoice['id']}").text
    _, pdf = follow_pdf(anonymous, f"{path}/invoices/{invoice['id']}/pdf")
    assert f"Invoice {invoice['number']}" in pdf.text and "Portal Co" in pdf.text
    _, pdf = follow_pdf(anonymous, f"{path}/quotes/{quote['id']}/pdf")
    assert f"Quote {quote['number']}" in pdf.text
    # Wrong kind, a draft, another client's, another business's, a tampered link: the same 404.
    assert anonymous.get(f"{path}/quotes/{invoice['id']}/pdf").status == 404
    assert anonymous.get(f"{path}/invoices/{draft['id']}/pdf").status == 404
    other_client, _ = client_with_contact(tenant, "Someone Else", "else@portal.test")
    theirs = make_document(tenant, other_client)
    assert anonymous.get(f"{path}/invoices/{theirs['id']}/pdf").status == 404
    other = make_tenant("Other Business")
    elsewhere = other.invoice()
    assert anonymous.get(f"{path}/invoices/{elsewhere['id']}/pdf").status == 404
    assert tenant.api.get(f"/api/v1/invoices/{elsewhere['id']}/pdf").status == 404
    assert other.api.get(f"/api/v1/invoices/{invoice['id']}/pdf").status == 404
    assert tenant.api.get(f"/api/v1/quotes/{invoice['id']}/pdf").status == 404
    assert anonymous.get(f"{path[:-4]}AAAA/invoices/{invoice['id']}/pdf").status == 404
    # Quotes turned off: their PDFs go too.
    assert tenant.api.patch("/api/v1/business", {"portal_tabs_off": ["quotes"]}).status == 200
    assert anonymous.get(f"{path}/quotes/{quote['id']}/pdf").status == 404


def test_a_signed_in_contact_downloads_from_their_portal(tenant: Any, anonymous: Api, outbox: Any) -> None:
    client_id, _ = client_with_contact(tenant)
    invoice = make_document(tenant, client_id)
    cookie = signed_in(tenant, anonymous, outbox, "pat@portal.test")
    _, pdf = follow_pdf(anonymous, f"/portal/me/invoices/{invoice['id']}/pdf", Cookie=cookie)
    assert invoice["number"] in pdf.text
    assert anonymous.get(f"/portal/me/invoices/{invoice['id']}/pdf").status == 404
    _, pdf = follow_pdf(anonymous, "/portal/me/statement", Cookie=cookie)
    assert invoice["number"] in pdf.text


def test_staff_pdfs_need_a_signed_in_member(tenant: Any, anonymous: Api, member_of: Any) -> None:
    invoice = tenant.invoice()
    assert anonymous.get(f"/api/v1/invoices/{invoice['id']}/pdf").status == 401
    viewer = member_of(tenant, "viewer")
    reply = viewer.get(f"/api/v1/invoices/{invoice['id']}/pdf")
    assert reply.status == 200 and reply.json["url"].startswith("http")


# --- statements -------------------------------------------------------------------------


def _history(tenant: Any) -> dict[str, Any]:
    """Invoices on known dates relative to today, a payment, a credit; noise that must not count."""
    t = date.today()

    def day(offset: int) -> str:
        return (t + timedelta(days=offset)).isoformat()

    client_id, contact_id = client_with_contact(tenant, "Statement Client", "st@client.test")

    def invoice(amount: int, issued: int, due: int, **extra: Any) -> dict[str, Any]:
        return make_document(tenant, client_id, amount=amount, issue_date=day(issued), due_date=day(due), **extra)

    a = invoice(10000, -120, -110)
    b = invoice(25000, -80, -70)
    c = invoice(5000, -20, -5)
    d = invoice(8000, -10, 20)
    usd = invoice(2000, -15, -1, currency="USD")
    cancelled = invoice(99900, -50, -40)
    assert tenant.api.post(f"/api/v1/invoices/{cancelled['id']}/cancel").status == 200
    make_document(tenant, client_id, kind="quote", amount=77700)  # quotes are not owed
    make_document(tenant, client_id, amount=55500, send=False)  # nor drafts
    other_client, _ = client_with_contact(tenant, "Other Client", "other@client.test")
    make_document(tenant, other_client, amount=44400)  # nor another client's invoices
    for doc, amount, on in ((a, 4000, day(-100)), (b, 10000, day(-30))):
        reply = tenant.api.post(f"/api/v1/invoices/{doc['id']}/payments", {"amount": amount, "received_on": on})
        assert reply.status == 201, reply.body
    assert tenant.api.post(f"/api/v1/clients/{client_id}/credits", {"amount": 3000}).status == 201
    reply = tenant.api.post(f"/api/v1/clients/{client_id}/credits/apply", {"invoice_id": c["id"]})
    assert reply.status in (200, 201), reply.body
    return {"client_id": client_id, "contact_id": contact_id, "day": day, "a": a, "b": b, "c": c, "d": d, "usd": usd}


def test_a_statement_has_opening_running_and_closing_balances_and_ageing(tenant: Any, anonymous: Api) -> None:
    h = _history(tenant)
    day = h["day"]
    reply = tenant.api.get(f"/api/v1/clients/{h['client_id']}/statement?from={day(-90)}&to={day(0)}")
    assert reply.status == 200, reply.body
    statement = reply.json
    assert [s["currency"] for s in statement["sections"]] == ["EUR", "USD"]
    eur, usd = statement["sections"]
    assert eur["opening"]["amount"] == 6000  # A (100.00) less the 40.00 paid on it before the period
    rows = [(line["date"], line["reference"], line["debit"], line["credit"], line["balance"]) for line in eur["lines"]]
    assert rows == [
        (day(-80), h["b"]["number"], 25000, 0, 31000),
        (day(-30), h["b"]["number"], 0, 10000, 21000),
        (day(-20), h["c"]["number"], 5000, 0, 26000),
        (day(-10), h["d"]["number"], 8000, 0, 34000),
        (day(0), h["c"]["number"], 0, 3000, 31000),
    ]
    assert [line["kind"] for line in eur["lines"]] == ["invoice", "payment", "invoice", "invoice", "credit"]
    assert eur["closing"]["amount"] == 31000
    assert {k: v["amount"] for k, v in eur["ageing"].items()} == {
        "current": 8000, "1-30": 2000, "31-60": 0, "61-90": 15000, "90+": 6000}
    assert eur["open_total"]["amount"] == 31000
    assert usd["opening"]["amount"] == 0 and usd["closing"]["amount"] == 2000
    assert {k: v["amount"] for k, v in usd["ageing"].items()} == {"current": 0, "1-30": 2000, "31-60": 0, "61-90": 0,
                                                                 "90+": 0}
    assert statement["closing"] == [{"amount": 31000, "currency": "EUR", "display": "€310.00"},
                                    {"amount": 2000, "currency": "USD", "display": "US$20.00"}]

    # The PDF prints the same figures; the portal's statement is the same file.
    pdf = Pdf(fetch_bytes(statement["url"]))
    text = pdf.text
    for expected in ("Statement Client", f"{printed(day(-90))} to {printed(day(0))}", "Account in EUR", "Account in USD",
                     "Opening balance €60.00", f"Invoice {h['b']['number']} (due {printed(day(-70))}) €250.00 €310.00",
                     f"Payment (manual), {h['b']['number']} €100.00 €210.00",
                     f"Credit applied, {h['c']['number']} €30.00 €310.00", "Closing balance €310.00",
                     "€80.00 €20.00 €0.00 €150.00 €60.00 €310.00", "Closing balance US$20.00"):
        assert expected in text, (expected, text)
    assert "999.00" not in text and "777.00" not in text and "555.00" not in text and "444.00" not in text
    path = portal_link(tenant, h["client_id"], h["contact_id"])
    payments_tab = anonymous.get(f"{path}?tab=payments").text
    assert f'action="https://pay.example.test{path}/statement"' in payments_tab and 'name="from"' in payments_tab
    portal_reply, _ = follow_pdf(anonymous, f"{path}/statement?from={day(-90)}&to={day(0)}")
    assert urlsplit(portal_reply.headers["Location"]).path == urlsplit(statement["url"]).path
    assert parse_qs(urlsplit(portal_reply.headers["Location"]).query)["response-content-disposition"] == [
        f'attachment; filename="statement-{day(-90)}-{day(0)}.pdf"']


def test_an_earlier_period_and_the_statement_cache(tenant: Any, s3_puts: list[str]) -> None:
    h = _history(tenant)
    day = h["day"]
    path = f"/api/v1/clients/{h['client_id']}/statement?from={day(-130)}&to={day(-95)}"
    eur = tenant.api.get(path).json["sections"][0]
    assert eur["opening"]["amount"] == 0 and eur["closing"]["amount"] == 6000
    assert [(line["kind"], line["debit"], line["credit"]) for line in eur["lines"]] == [("invoice", 10000, 0),
                                                                                      ("payment", 0, 4000)]
    assert {k: v["amount"] for k, v in eur["ageing"].items()}["1-30"] == 6000  # 15 days past due on day −95
    puts = len(s3_puts)
    tenant.api.get(path)
    assert len(s3_puts) == puts  # same content, same key: not rendered again
    tenant.api.get(f"/api/v1/clients/{h['client_id']}/statement?from={day(-131)}&to={day(-95)}")
    assert len(s3_puts) == puts + 1


@pytest.mark.parametrize(("query", "field"), [
    ("from=2026-02-01&to=2026-01-01", "from"),
    ("from=2019-01-01&to=2026-01-01", "from"),
    ("from=2026-13-01&to=2026-12-31", "from"),
    ("from=20260101&to=2026-12-31", "from"),
    ("from=2026-01-01&to=2026-02-30", "to"),
    ("from=2026-01-01&to=yesterday", "to"),
])
def test_bad_statement_ranges_are_400(tenant: Any, anonymous: Api, query: str, field: str) -> None:
    client_id, contact_id = client_with_contact(tenant)
    reply = tenant.api.get(f"/api/v1/clients/{client_id}/statement?{query}")
    assert reply.status == 400 and reply.error["field"] == field
    path = portal_link(tenant, client_id, contact_id)
    assert anonymous.get(f"{path}/statement?{query}").status == 400
    assert anonymous.get(f"{path}/statement?{query}", headers=JSON).json["error"]["field"] == field


def test_statements_are_scoped(tenant: Any, anonymous: Api, make_tenant: Any) -> None:
    client_id, _ = client_with_contact(tenant)
    other = make_tenant("Other")
    assert other.api.get(f"/api/v1/clients/{client_id}/statement").status == 404
    assert anonymous.get(f"/portal/{'A' * 43}/statement").status == 404
    assert anonymous.get("/portal/me/statement").status == 404
    # Five years exactly is allowed; a 29 February end date is fine too.
    assert tenant.api.get(f"/api/v1/clients/{client_id}/statement?from=2021-01-01&to=2026-01-01").status == 200
    assert tenant.api.get(f"/api/v1/clients/{client_id}/statement?from=2023-02-28&to=2028-02-29").status == 200
