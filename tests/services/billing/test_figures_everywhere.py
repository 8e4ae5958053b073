"""Every surface prints figures that add up, and the same figures.

For generated invoices (discounts, several tax rates, decimal quantities, zero- and
three-decimal currencies, part payments) this renders the client page, the portal's document
page, the PDF (text read back with pypdfium2), the staff JSON and the invoice email, reads the
PRINTED figures back as a person would, and checks: line amounts → subtotal → − discounts →
+ tax → total → − paid → balance. Before, the subtotal was printed after the discounts and then
the discounts were taken off again (Subtotal 873.15, Discounts −23.75, Tax 104.70, Total 977.85),
and the dashboard's line "Amount" included tax while the page's did not.

The documents are built in memory exactly as the service stores them (`_apply_lines`), so one
example costs a page render and a PDF render and no AWS call; tests/api/test_figures_api.py
drives the same checks through the real routes once.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.api import present
from chalicelib.api.html import _environment
from chalicelib.domain import invoices as rules
from chalicelib.services.billing.documents import _apply_lines
from chalicelib.services.billing.invoice_emails import invoice_email_data
from chalicelib.services.billing.pdfs import document_content, render_document
from chalicelib.services.notifications import email_render
from chalicelib.services.portal.share_page import public_view
from chalicelib.store.businesses import Business
from chalicelib.store.documents import BillTo, Document, new_document
from tests.support.figures import check_adds_up, read_email, read_json, read_page, read_pdf

TODAY = date(2026, 3, 1)
NOW = "2026-03-01T00:00:00.000Z"
EXAMPLES = 100  # each renders a page, a portal page and a PDF: ~50 ms


# --- reading what is printed ------------------------------------------------------------


















# --- generated invoices -----------------------------------------------------------------


CURRENCIES = ("EUR", "JPY", "KWD", "USD")
RATES = (0, 500, 700, 1900, 2000, 2050)


@st.composite
def invoices(draw: st.DrawFn) -> tuple[Business, Document]:
    currency = draw(st.sampled_from(CURRENCIES))
    lines = [
        rules.Line(
            description=f"Item {n + 1}",
            quantity=draw(st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(500), places=4)).normalize(),
            unit_price=draw(st.integers(min_value=0, max_value=2_000_000)),
            tax_rate_bp=draw(st.sampled_from(RATES)),
            discount_bp=draw(st.one_of(st.just(0), st.integers(min_value=0, max_value=10_000))),
        )
        for n in range(draw(st.integers(min_value=1, max_value=6)))
    ]
    kind = draw(st.sampled_from((rules.INVOICE, rules.INVOICE, rules.QUOTE)))
    document = new_document("biz", "doc", kind, NOW, number="INV-0042", status=rules.SENT, client_id="cli",
                            bill_to=BillTo(name="Acme Ltd"), currency=currency, issue_date="2026-02-01",
                            due_date="2026-04-01", updated_at=NOW, version=1)
    _apply_lines(document, lines)
    if kind == rules.QUOTE:
        return business_of(currency), document
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        document.status = rules.CANCELLED  # unpaid: prints "nothing to pay" instead of a balance
        return business_of(currency), document
    paid = draw(st.integers(min_value=0, max_value=int(document.total)))
    document.amount_paid = paid
    document.status = rules.status_after_payment(int(document.total), paid)
    return business_of(currency), document


def business_of(currency: str) -> Business:
    return Business("BIZ#biz", "PROFILE", business_id="biz", name="Northwind Studio", currency=currency,
                    brand_color="#ffd54f", accent_color="#f2f5fa", created_at=NOW, updated_at=NOW)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invoices())
def test_every_surface_prints_figures_that_add_up_and_agree(example: tuple[Business, Document]) -> None:
    business, document = example
    currency = document.currency
    view = public_view(business, document, [], TODAY)
    template = _environment().get_template("invoice.html")
    page = read_page(template.render(nonce="n", **view), currency)
    portal = read_page(template.render(nonce="n", **view, label="Invoice", back_url="/portal/me"), currency)
    pdf = read_pdf(render_document(document_content(view, document.kind)), currency)
    staff = read_json(present.document(document, TODAY))
    surfaces = [("page", page), ("portal", portal), ("pdf", pdf), ("json", staff)]
    if document.kind == rules.INVOICE:  # quotes are not emailed with figures
        email = email_render.render("invoice", email_render.brand_of(business), invoice_email_data(document, "https://x.test/i"))
        surfaces.append(("email", read_email(email.text, currency)))

    figures = {surface: check_adds_up(printed, surface) for surface, printed in surfaces}
    if document.status == rules.CANCELLED:  # the JSON keeps the balance; the client sees "nothing to pay"
        figures = {k: {**f, "balance": 0} for k, f in figures.items()}
    # one definition: every surface prints the very same numbers, and the ones payments use
    assert all(f == figures["page"] for f in figures.values()), figures
    assert page.line_amounts == pdf.line_amounts == staff.line_amounts
    assert figures["page"]["total"] == int(document.total)
    assert figures["page"]["paid"] == int(document.amount_paid)
    if document.kind == rules.INVOICE and document.status != rules.CANCELLED:
        assert figures["page"]["balance"] == document.balance
