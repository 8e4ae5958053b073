"""A statement over years of history: every line printed once, in order, the column headings on
every page; its reads carry only the fields a statement prints."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest


def _period(invoices: int) -> Any:
    from chalicelib.domain import statements as rules

    start, facts, entries = date(2021, 12, 1), [], []
    for n in range(invoices):
        issued = start + timedelta(days=n * 1800 // invoices)
        facts.append(rules.InvoiceFact(f"d{n}", f"INV-{n:05d}", "EUR", issued.isoformat(),
                                       (issued + timedelta(days=14)).isoformat(), 10_000 + n))
        if n % 2:
            entries.append(rules.EntryFact(f"d{n}", f"INV-{n:05d}", "payment", 10_000 + n, "EUR",
                                           (issued + timedelta(days=5)).isoformat(), "", "bank_transfer"))
    return rules.build(facts, entries, start, date(2026, 11, 30), "EUR")


def test_a_long_statement_prints_every_line_once_in_order_with_headings_on_every_page() -> None:
    from chalicelib.services.billing import pdfs
    from chalicelib.services.billing.pdf_layouts import render_statement
    from chalicelib.services.billing.pdf_rows import LONG
    from chalicelib.store.businesses import Business
    from chalicelib.store.clients import Client
    from tests.support.pdfs import Pdf

    period = _period(400)
    lines = period.sections[0].lines
    assert len(lines) > 2 * LONG  # laid out page by page (pdf_rows), not as one reportlab Table
    business = Business("BIZ#b", "PROFILE", business_id="b", name="Northwind", created_at="x", updated_at="x")
    client = Client("C", "C", client_id="c", name="Acme Ltd", created_at="x", updated_at="x")
    pdf = Pdf(render_statement(pdfs.statement_content(business, client, period), "A4", None))
    assert len(pdf.pages) > 5
    assert all("Date Description Debit Credit Balance" in page.replace("\r\n", " ") for page in pdf.pages)
    text = pdf.text
    assert text.index("Account in EUR") < text.index("Opening balance") < text.index("INV-00000")
    positions = [text.index(f"Invoice INV-{n:05d} ") for n in range(400)]
    assert positions == sorted(positions) and text.count("Invoice INV-00399 ") == 1
    assert text.count("Closing balance") == 1 and text.index("Closing balance") > positions[-1]
    # The first page holds the start of the table, not just the heading block (keep-with-next of a
    # many-page table pushed it all to page 2).
    assert "INV-00000" in pdf.pages[0]


@pytest.fixture
def dynamodb_requests(aws: Any) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    from chalicelib.store.table import BaseItem

    seen: list[tuple[str, dict[str, Any]]] = []
    events = BaseItem._get_connection().connection.client.meta.events

    def record(model: Any, params: Any, **_: Any) -> None:
        seen.append((model.name, params))

    # before-parameter-build: the operation's API parameters, before they are serialised
    events.register("before-parameter-build.dynamodb", record)
    yield seen
    events.unregister("before-parameter-build.dynamodb", record)


def test_the_statement_reads_only_the_fields_it_prints(tenant: Any, dynamodb_requests: list[Any]) -> None:
    from chalicelib.services.billing import statements

    invoice = tenant.invoice(lines=[{"description": "A long description " * 20, "unit_price": 12_000}])
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {"amount": 2_000})
    dynamodb_requests.clear()
    invoices, entries = statements.facts_of(tenant.business_id, invoice["client_id"])
    assert [(i.number, i.total) for i in invoices] == [(invoice["number"], 12_000)]
    assert [(e.kind, e.amount, e.doc_number) for e in entries] == [("payment", 2_000, invoice["number"])]
    queries = [params for name, params in dynamodb_requests if name == "Query"]
    assert len(queries) == 2 and all("ProjectionExpression" in q for q in queries)
    assert not any("lines" in str(q["ExpressionAttributeNames"].values()) for q in queries)
