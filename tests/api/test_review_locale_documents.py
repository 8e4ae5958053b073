"""An invoice reads the same on its page and on paper, in its reader's locale: the client's own
locale overrides the business's on the PDF as on the page, and quantities and tax rates are
numbers of that locale too ("1,5", "19,5 %" in de_DE)."""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain import formatting
from tests.conftest import Api, local_path
from tests.support.pdfs import follow_pdf
from tests.support.portal import client_with_contact, make_document

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def test_the_invoice_page_and_pdf_follow_the_clients_locale_numbers_included(tenant: Any, anonymous: Api) -> None:
    client_id, _ = client_with_contact(tenant)
    assert tenant.api.patch(f"/api/v1/clients/{client_id}", {"locale": "de_DE"}).status == 200
    invoice = make_document(tenant, client_id, issue_date="2026-11-03", due_date="2026-12-15", lines=[
        {"description": "Design hours", "quantity": "1.5", "unit_price": 65190},
        {"description": "Hosting", "unit_price": 10000, "tax_rate_bp": 1950, "discount_bp": 250}])
    share = local_path(tenant.share(invoice["id"]))
    html = anonymous.get(share).text
    assert "977,85\xa0€" in html and '>1,5<' in html and ">1.5<" not in html
    assert "19,5 %" in html and "19.5 %" not in html and "(−2,5 %)" in html
    _, pdf = follow_pdf(anonymous, f"{share}/pdf")
    text = pdf.text
    for expected in ("977,85 €", formatting.day("2026-12-15", "de_DE"), " 1,5 ", "19,5 %", "(−2,5 %)"):
        assert expected in text, (expected, text)
    assert "€977.85" not in text and "15 Dec 2026" not in text and "19.5 %" not in text


def test_the_invoice_email_writes_its_tax_rate_and_day_counts_in_the_clients_locale(tenant: Any, outbox: Any) -> None:
    from datetime import date, timedelta

    client_id, _ = client_with_contact(tenant, email="rate@portal.test")
    assert tenant.api.patch(f"/api/v1/clients/{client_id}", {"locale": "de_DE"}).status == 200
    due = (date.today() + timedelta(days=1500)).isoformat()
    invoice = make_document(tenant, client_id, due_date=due, lines=[
        {"description": "Hosting", "unit_price": 10000, "tax_rate_bp": 1950}])
    assert tenant.api.post(f"/api/v1/invoices/{invoice['id']}/email").status == 200
    [email] = outbox.to("rate@portal.test")
    for part in (email.text, email.html):
        assert "Tax 19,5 %" in part and "Tax 19.5 %" not in part, part
    assert tenant.api.post(f"/api/v1/invoices/{invoice['id']}/remind").status in (200, 201, 202)
    reminder = outbox.to("rate@portal.test")[-1]
    assert "(in 1.500 days)" in reminder.text, reminder.text
