"""Client pages write money, dates and sizes in the business's locale, or the client's own; the
invoice page opens with what is due and when; the portal greets, totals, sorts and pages."""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.domain import formatting
from tests.conftest import Api, local_path
from tests.support.client_flows import JSON, attach
from tests.support.portal import client_with_contact, make_document, portal_link

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def _share(tenant: Any, invoice: dict[str, Any]) -> str:
    reply = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/share")
    assert reply.status in (200, 201), reply.body
    return local_path(reply.json["url"])


def test_the_invoice_page_writes_money_and_dates_in_the_business_locale_then_the_clients(
        tenant: Any, anonymous: Api) -> None:
    client_id, _ = client_with_contact(tenant)
    due = (date.today() + timedelta(days=5)).isoformat()
    invoice = make_document(tenant, client_id, amount=97785, due_date=due)
    page = _share(tenant, invoice)
    html = anonymous.get(page).text
    assert "€977.85" in html and "977.85 EUR" not in html
    assert formatting.day(due, "en_GB") in html and f">{due}<" not in html  # "20 Dec 2026", never the ISO date
    assert "Due in 5 days" in html
    assert tenant.api.patch("/api/v1/business", {"locale": "de_DE"}).status == 200
    html = anonymous.get(page).text
    assert "977,85\xa0€" in html and formatting.day(due, "de_DE") in html
    # The client's own locale wins over the business's.
    assert tenant.api.patch(f"/api/v1/clients/{client_id}", {"locale": "en_US"}).status == 200
    assert "€977.85" in anonymous.get(page).text
    # JSON stays data: minor units and ISO dates.
    data = anonymous.get(page, headers=JSON).json["invoice"]
    assert data["balance"]["amount"] == 97785 and data["due_date"] == due


def test_the_invoice_page_opens_with_amount_due_due_words_pay_and_pdf_before_the_detail(
        tenant: Any, anonymous: Api) -> None:
    client_id, _ = client_with_contact(tenant)
    late = make_document(tenant, client_id, amount=12000, issue_date="2026-01-01",
                         due_date=(date.today() - timedelta(days=3)).isoformat())
    html = anonymous.get(_share(tenant, late)).text
    summary = html[html.index('data-testid="summary"'):]
    assert summary.index('data-testid="amount-due"') < summary.index('data-testid="due-words"') \
        < summary.index('data-testid="pdf"') < summary.index("Bill to")
    assert re.search(r'data-testid="due-words"><strong>Overdue by 3 days</strong>', html)
    assert 'class="badge overdue" data-testid="status">Overdue<' in html  # sentence case


def test_the_portal_greets_the_contact_and_totals_outstanding_overdue_and_credit(tenant: Any, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    make_document(tenant, client_id, amount=3000, issue_date="2026-01-01", due_date="2026-01-15")
    make_document(tenant, client_id, amount=10000)
    html = anonymous.get(portal_link(tenant, client_id, contact_id)).text
    assert 'data-testid="greeting">Hello, Pat<' in html
    assert 'data-testid="outstanding">€130.00<' in html
    assert re.search(r'data-testid="overdue-total">€30.00 <span class="badge overdue"', html)
    assert 'data-testid="credit">None<' in html
    assert 'class="section tabs"' in html  # one row that scrolls sideways on a phone


def test_the_documents_tab_sorts_and_pages_by_plain_links(tenant: Any, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    made = [make_document(tenant, client_id, amount=amount) for amount in (5000, 100, 20000)]
    path = portal_link(tenant, client_id, contact_id)
    by_amount = anonymous.get(f"{path}?tab=invoices&sort=amount&dir=asc", headers=JSON).json
    assert [i["total"]["amount"] for i in by_amount["items"]] == [100, 5000, 20000]
    down = anonymous.get(f"{path}?tab=invoices&sort=amount&dir=desc", headers=JSON).json
    assert [i["total"]["amount"] for i in down["items"]] == [20000, 5000, 100]
    by_number = anonymous.get(f"{path}?tab=invoices&sort=number", headers=JSON).json
    assert [i["number"] for i in by_number["items"]] == [d["number"] for d in made]
    html = anonymous.get(f"{path}?tab=invoices&sort=amount&dir=asc").text
    assert 'aria-sort="ascending"' in html and "sort=amount&amp;dir=desc" in html  # the header flips the order
    assert by_amount["page"] == 1 and by_amount["pages"] == 1


@pytest.mark.parametrize("query", ["sort=colour", "sort=amount&dir=up", "sort=date&page=0", "sort=date&page=x"])
def test_a_bad_sort_is_a_400_in_plain_words(tenant: Any, anonymous: Api, query: str) -> None:
    client_id, contact_id = client_with_contact(tenant)
    reply = anonymous.get(f"{portal_link(tenant, client_id, contact_id)}?tab=invoices&{query}", headers=JSON)
    assert reply.status == 400 and reply.json["error"]["message"]


def test_one_file_size_format_and_sentence_case_badges() -> None:
    assert formatting.file_size(1_200_000) == "1.2 MB" and formatting.file_size(1_234_567, "de_DE") == "1,2 MB"
    assert formatting.badge("partial") == "Partly paid" and formatting.badge("PAID") == "Paid"
    assert formatting.due_words("2026-12-06", date(2026, 12, 1)) == "due in 5 days"
    assert formatting.due_words("2026-11-28", date(2026, 12, 1)) == "overdue by 3 days"
    assert formatting.due_words("2026-12-01", date(2026, 12, 1)) == "due today"


@pytest.mark.parametrize(("locale", "words"), [("en_GB", "due in 1,205 days"), ("de_DE", "due in 1.205 days")])
def test_due_words_stay_in_the_pages_language_with_the_locales_digits(locale: str, words: str) -> None:
    assert formatting.due_words("2030-03-20", date(2026, 12, 1), locale) == words
    assert formatting.due_words("2026-11-28", date(2026, 12, 1), locale) == "overdue by 3 days"  # not "3 Tagen"


def test_the_invoices_tab_lists_the_files_each_invoice_unlocks(tenant: Any, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    with_file = make_document(tenant, client_id)
    make_document(tenant, client_id)  # no files: lists none
    attach(tenant, tenant.file(title="Style guide"), "invoice", with_file["id"], "after_payment")
    path = portal_link(tenant, client_id, contact_id)
    view = anonymous.get(f"{path}?tab=invoices", headers=JSON).json
    [shown] = view["files"][with_file["id"]]
    assert shown["title"] == "Style guide" and shown["status"] == "available after payment"
    html = anonymous.get(f"{path}?tab=invoices").text
    assert html.count('data-testid="invoice-files"') == 1 and "Style guide" in html
    assert "Available after payment" in html  # sentence-case badge
