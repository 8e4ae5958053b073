"""Every payment has a receipt: a page and a PDF in the portal's Payments tab (one link per
payment) and through the staff API, saying who paid whom, when, how much, how, for which invoice,
what is still due, and what was refunded. Another client's receipt is a 404."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, QueueWorker
from tests.support.client_flows import JSON
from tests.support.payments import completed_checkout, payable_invoice, post_event, start_checkout, stripe_event
from tests.support.pdfs import Pdf, fetch_bytes, follow_pdf
from tests.support.portal import client_with_contact, make_document, portal_link

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


@pytest.fixture
def paid(tenant: Any) -> dict[str, Any]:
    """A client who paid 40.00 of a 100.00 invoice by bank transfer."""
    assert tenant.api.patch("/api/v1/business", {"name": "Northwind Studio", "email": "billing@northwind.test"}).status == 200
    client_id, contact_id = client_with_contact(tenant, "Łódź Café Ltd")
    invoice = make_document(tenant, client_id, amount=10000)
    reply = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments",
                            {"amount": 4000, "method": "bank_transfer", "reference": "TRX-881", "received_on": "2026-02-03"})
    assert reply.status == 201, reply.body
    return {"client_id": client_id, "invoice": invoice, "payment_id": reply.json["payment"]["payment_id"],
            "portal": portal_link(tenant, client_id, contact_id)}


def _receipt_path(paid: dict[str, Any]) -> str:
    return f"{paid['portal']}/receipts/{paid['invoice']['id']}/{paid['payment_id']}"


def test_the_payments_tab_links_each_payment_to_its_receipt_page(anonymous: Api, paid: dict[str, Any]) -> None:
    tab = anonymous.get(f"{paid['portal']}?tab=payments")
    assert f'{_receipt_path(paid)}"' in tab.text and 'data-testid="receipt-link"' in tab.text
    page = anonymous.get(_receipt_path(paid))
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    for words in ("Northwind Studio", "Łódź Café Ltd", "3 Feb 2026", "€40.00", "bank transfer", "TRX-881",
                  paid["invoice"]["number"], "€60.00"):
        assert words in page.text, words
    view = anonymous.get(_receipt_path(paid), headers=JSON).json
    assert view["amount"]["amount"] == 4000 and view["balance"]["amount"] == 6000
    assert [i["number"] for i in view["invoices"]] == [paid["invoice"]["number"]] and view["refunds"] == []


def test_the_receipt_pdf_says_the_same(anonymous: Api, paid: dict[str, Any]) -> None:
    reply, pdf = follow_pdf(anonymous, f"{_receipt_path(paid)}/pdf")
    assert "receipt-" in reply.headers["Location"]
    for words in ("Receipt", "Northwind Studio", "Łódź Café Ltd", "3 Feb 2026", "€40.00", "bank transfer",
                  paid["invoice"]["number"], "€60.00", "TRX-881"):
        assert words in pdf.text, words


def test_staff_reach_the_receipt_and_its_pdf(tenant: Any, paid: dict[str, Any]) -> None:
    path = f"/api/v1/invoices/{paid['invoice']['id']}/payments/{paid['payment_id']}/receipt"
    view = tenant.api.get(path).json
    assert view["paid_on"] == "2026-02-03" and view["client"]["name"] == "Łódź Café Ltd"
    pdf = Pdf(fetch_bytes(tenant.api.get(f"{path}/pdf").json["url"]))
    assert "€40.00" in pdf.text


def test_another_clients_receipt_is_a_404(tenant: Any, anonymous: Api, paid: dict[str, Any], make_tenant: Any) -> None:
    other_client, other_contact = client_with_contact(tenant, "Someone Else", "else@portal.test")
    theirs = portal_link(tenant, other_client, other_contact)
    receipt = f"/receipts/{paid['invoice']['id']}/{paid['payment_id']}"
    assert anonymous.get(f"{theirs}{receipt}").status == 404
    assert anonymous.get(f"{theirs}{receipt}/pdf").status == 404
    assert anonymous.get(f"{paid['portal']}/receipts/{paid['invoice']['id']}/unknown0payment").status == 404
    other_business = make_tenant("Elsewhere")
    path = f"/api/v1/invoices/{paid['invoice']['id']}/payments/{paid['payment_id']}/receipt"
    assert other_business.api.get(path).status == 404
    assert other_business.api.get(f"{path}/pdf").status == 404


def test_a_card_payment_receipt_shows_its_refund(
        tenant: Any, anonymous: Api, stripe_secrets: Any, stripe_worker: QueueWorker) -> None:
    payable = payable_invoice(tenant)
    doc = payable["doc"]
    session_id = start_checkout(anonymous, payable)
    pi = f"pi_{doc['id']}"
    completed_checkout(anonymous, stripe_worker, tenant, doc, session_id, 10000, pi=pi)
    refund = {"id": f"ch_{doc['id']}", "payment_intent": pi, "amount_refunded": 2500, "currency": "eur",
              "metadata": {"business_id": tenant.business_id, "doc_id": doc["id"]}}
    assert post_event(anonymous, stripe_event("charge.refunded", refund)).status == 200
    stripe_worker.drain()
    view = tenant.api.get(f"/api/v1/invoices/{doc['id']}/payments/{pi}/receipt").json
    assert view["method"] == "card" and view["amount"]["amount"] == 10000
    assert [r["amount"]["amount"] for r in view["refunds"]] == [2500] and view["kept"]["amount"] == 7500
    pdf = Pdf(fetch_bytes(tenant.api.get(f"/api/v1/invoices/{doc['id']}/payments/{pi}/receipt/pdf").json["url"]))
    assert "Refunded €25.00" in pdf.text
    # A refund has no receipt of its own.
    assert tenant.api.get(f"/api/v1/invoices/{doc['id']}/payments/{pi}-refunds/receipt").status == 404
