"""Invoices and quotes through the staff API: numbering, totals, lifecycle, pagination."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import PUBLIC_BASE_URL, Api
from tests.support.replies import assert_error_shape, invoice_path


def test_a_new_invoice_is_a_numbered_draft_with_totals_in_minor_units(tenant: Any) -> None:
    product = tenant.api.post("/api/v1/products", {"name": "Design", "unit_price": 120000, "tax_rate_bp": 1900}).json
    client_id = tenant.client_id()
    reply = tenant.api.post("/api/v1/invoices", {
        "client_id": client_id,
        "lines": [
            {"product_id": product["product_id"]},
            {"description": "Hours", "quantity": "6.5", "unit_price": 9500, "tax_rate_bp": 1900},
            {"description": "Rush", "unit_price": 15000, "discount_bp": 1000},
        ],
    })
    assert reply.status == 201
    invoice = reply.json
    assert invoice["number"] == "INV-0001"
    assert invoice["status"] == "draft"
    assert invoice["currency"] == "EUR"
    assert [line["description"] for line in invoice["lines"]] == ["Design", "Hours", "Rush"]
    assert [line["net"] for line in invoice["lines"]] == [120000, 61750, 13500]
    assert [line["tax"] for line in invoice["lines"]] == [22800, 11733, 0]
    # amounts are quantity × unit price, before discount and tax; the subtotal adds them up
    assert [line["amount"] for line in invoice["lines"]] == [120000, 61750, 15000]
    assert [line["discount"] for line in invoice["lines"]] == [0, 0, 1500]
    assert invoice["subtotal"] == 196750
    assert invoice["discount_total"] == 1500
    assert invoice["tax_total"] == 34533
    assert invoice["taxes"] == [{"rate_bp": 1900, "amount": 34533}]
    assert invoice["total"] == 229783 == 196750 - 1500 + 34533
    assert invoice["balance"] == 229783
    assert invoice["due_date"] == (date.today() + timedelta(days=14)).isoformat()
    assert invoice["bill_to"]["name"] == "Acme Ltd"


def test_numbers_are_sequential_per_business_and_per_kind(make_tenant: Any) -> None:
    first, second = make_tenant(), make_tenant()
    cid = first.client_id()
    numbers = [first.api.post("/api/v1/invoices", {"client_id": cid}).json["number"] for _ in range(3)]
    assert numbers == ["INV-0001", "INV-0002", "INV-0003"]
    assert first.api.post("/api/v1/quotes", {"client_id": cid}).json["number"] == "QUO-0001"
    assert second.api.post("/api/v1/invoices", {"client_id": second.client_id()}).json["number"] == "INV-0001"


def test_lifecycle_draft_sent_partial_paid(tenant: Any) -> None:
    invoice = tenant.invoice(lines=[{"description": "Work", "unit_price": 10000}])
    assert invoice["status"] == "sent"
    path = f"/api/v1/invoices/{invoice['id']}"
    partial = tenant.api.post(f"{path}/payments", {"amount": 4000, "method": "bank_transfer", "reference": "TX-1"})
    assert partial.status == 201
    assert partial.json["invoice"]["status"] == "partial"
    assert partial.json["invoice"]["balance"] == 6000
    rest = tenant.api.post(f"{path}/payments", {})
    assert rest.json["invoice"]["status"] == "paid"
    assert rest.json["payment"]["amount"] == 6000
    stored = tenant.api.get(path).json
    assert stored["amount_paid"] == 10000 and stored["balance"] == 0 and stored["paid_at"]
    assert sorted(p["amount"] for p in stored["payments"]) == [4000, 6000]
    too_much = tenant.api.post(f"{path}/payments", {"amount": 1})
    assert too_much.status == 409


def test_a_payment_above_the_balance_is_refused_and_nothing_is_recorded(tenant: Any) -> None:
    invoice = tenant.invoice()
    path = f"/api/v1/invoices/{invoice['id']}"
    reply = tenant.api.post(f"{path}/payments", {"amount": 10001})
    assert reply.status == 400 and reply.error["field"] == "amount"
    stored = tenant.api.get(path).json
    assert stored["amount_paid"] == 0 and stored["payments"] == [] and stored["status"] == "sent"


def test_drafts_cannot_take_payments_or_be_shared(tenant: Any) -> None:
    draft = tenant.invoice(sent=False)
    assert tenant.api.post(f"/api/v1/invoices/{draft['id']}/payments", {}).status == 409
    assert tenant.api.post(f"/api/v1/invoices/{draft['id']}/share").status == 409
    stored = tenant.api.get(f"/api/v1/invoices/{draft['id']}").json
    assert (stored["status"], stored["amount_paid"], stored["payments"], stored["share_url"]) == ("draft", 0, [], None)


def test_overdue_is_derived_from_the_due_date(tenant: Any) -> None:
    past = (date.today() - timedelta(days=30)).isoformat()
    due = (date.today() - timedelta(days=1)).isoformat()
    invoice = tenant.invoice(issue_date=past, due_date=due)
    assert invoice["status"] == "sent"
    assert invoice["display_status"] == "overdue" and invoice["overdue"] is True


def test_sent_invoices_only_change_fields_that_do_not_move_money(tenant: Any) -> None:
    invoice = tenant.invoice()
    path = f"/api/v1/invoices/{invoice['id']}"
    ok = tenant.api.patch(path, {"notes": "Thanks!", "po_number": "PO-9"})
    assert ok.status == 200 and ok.json["notes"] == "Thanks!"
    refused = tenant.api.patch(path, {"lines": [{"description": "More", "unit_price": 99999}]})
    assert refused.status == 409 and refused.error["field"] == "lines"
    assert tenant.api.get(path).json["total"] == invoice["total"]


def test_drafts_can_be_edited_and_deleted_but_sent_ones_only_cancelled(tenant: Any) -> None:
    draft = tenant.invoice(sent=False)
    path = f"/api/v1/invoices/{draft['id']}"
    edited = tenant.api.patch(path, {"lines": [{"description": "New", "quantity": 2, "unit_price": 2500, "tax_rate_bp": 2000}]})
    assert edited.status == 200 and edited.json["total"] == 6000
    assert tenant.api.delete(path).status == 200
    assert tenant.api.get(path).status == 404
    sent = tenant.invoice()
    assert tenant.api.delete(f"/api/v1/invoices/{sent['id']}").status == 409
    cancelled = tenant.api.post(f"/api/v1/invoices/{sent['id']}/cancel")
    assert cancelled.status == 200 and cancelled.json["status"] == "cancelled"


def test_an_empty_draft_cannot_be_sent(tenant: Any) -> None:
    reply = tenant.api.post("/api/v1/invoices", {"client_id": tenant.client_id()})
    refused = tenant.api.post(f"/api/v1/invoices/{reply.json['id']}/send")
    assert refused.status == 409 and refused.error["message"] == "Add at least one line before sending.", refused.body
    assert tenant.api.get(f"/api/v1/invoices/{reply.json['id']}").json["status"] == "draft"


def test_quotes_have_their_own_routes_and_cannot_be_paid(tenant: Any) -> None:
    lines = [{"description": "Plan", "unit_price": 500}]
    quote = tenant.api.post("/api/v1/quotes", {"client_id": tenant.client_id(), "lines": lines}).json
    assert quote["kind"] == "quote"
    assert tenant.api.get(f"/api/v1/invoices/{quote['id']}").status == 404
    assert tenant.api.post(f"/api/v1/quotes/{quote['id']}/send").json["status"] == "sent"
    assert tenant.api.post(f"/api/v1/invoices/{quote['id']}/payments", {}).status == 404


def test_lists_paginate_newest_first_with_cursors(tenant: Any) -> None:
    cid = tenant.client_id()
    created = [tenant.api.post("/api/v1/invoices", {"client_id": cid}).json["number"] for _ in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = tenant.api.get(f"/api/v1/invoices{query}").json
        assert len(page["items"]) <= 2
        seen += [i["number"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(created))


def test_lists_filter_by_status(tenant: Any) -> None:
    tenant.invoice(sent=False)
    sent = tenant.invoice()
    page = tenant.api.get("/api/v1/invoices?status=sent").json
    assert [i["id"] for i in page["items"]] == [sent["id"]]
    assert tenant.api.get("/api/v1/invoices?status=bogus").status == 400


def test_product_lines_copy_the_product_so_later_edits_do_not_change_invoices(tenant: Any) -> None:
    product = tenant.api.post("/api/v1/products", {"name": "Plan", "unit_price": 1000}).json
    invoice = tenant.invoice(lines=[{"product_id": product["product_id"], "quantity": 3}])
    tenant.api.patch(f"/api/v1/products/{product['product_id']}", {"unit_price": 5000, "name": "Plan v2"})
    again = tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json
    assert again["total"] == 3000 and again["lines"][0]["description"] == "Plan"


@pytest.mark.parametrize("currency, total", [("JPY", 1500), ("KWD", 1500)])
def test_currency_is_kept_per_invoice(tenant: Any, currency: str, total: int) -> None:
    invoice = tenant.invoice(currency=currency, lines=[{"description": "x", "unit_price": 1500}])
    assert invoice["currency"] == currency and invoice["total"] == total




def test_a_quote_cannot_be_shared_unshared_or_cancelled_through_invoice_routes(tenant: Any) -> None:
    lines = [{"description": "Plan", "unit_price": 500}]
    quote = tenant.api.post("/api/v1/quotes", {"client_id": tenant.client_id(), "lines": lines}).json
    assert tenant.api.post(f"/api/v1/quotes/{quote['id']}/send").status == 200
    for method, suffix in (("POST", "/share"), ("DELETE", "/share"), ("POST", "/cancel"), ("POST", "/send")):
        assert_error_shape(tenant.api.call(method, f"/api/v1/invoices/{quote['id']}{suffix}", {}), 404)
    after = tenant.api.get(f"/api/v1/quotes/{quote['id']}").json
    assert after["status"] == "sent" and after["share_url"] is None


def test_a_cancelled_invoice_refuses_payment_edit_a_first_share_and_a_second_cancel(tenant: Any) -> None:
    invoice = tenant.invoice()
    base = f"/api/v1/invoices/{invoice['id']}"
    assert tenant.api.post(base + "/cancel").status == 200
    for method, suffix, body in (("POST", "/payments", {}), ("PATCH", "", {"notes": "x"}), ("POST", "/share", {}),
                                 ("POST", "/cancel", {}), ("POST", "/send", {}), ("DELETE", "", None)):
        assert_error_shape(tenant.api.call(method, base + suffix, body), 409)
    after = tenant.api.get(base).json
    assert (after["status"], after["amount_paid"], after["payments"], after["share_url"]) == ("cancelled", 0, [], None)
    paid = tenant.invoice()
    assert tenant.api.post(f"/api/v1/invoices/{paid['id']}/payments", {}).status == 201
    assert_error_shape(tenant.api.post(f"/api/v1/invoices/{paid['id']}/cancel"), 409)


def test_refused_invoice_creations_do_not_burn_a_number(tenant: Any) -> None:
    cid = tenant.client_id()
    first = tenant.api.post("/api/v1/invoices", {"client_id": cid}).json["number"]
    for body in (
        {"client_id": cid, "lines": [{"product_id": "missing"}]},
        {"client_id": cid, "lines": [{"description": "x", "unit_price": 10**12, "quantity": 1000000}]},
        {"client_id": cid, "issue_date": "2026-01-02", "due_date": "2026-01-01"},
        {"client_id": cid, "currency": "XXX"},
        {"client_id": "missing"},
    ):
        assert 400 <= tenant.api.post("/api/v1/invoices", body).status < 500, body
    second = tenant.api.post("/api/v1/invoices", {"client_id": cid}).json["number"]
    assert (first, second) == ("INV-0001", "INV-0002")


def test_a_stale_full_save_cannot_wipe_a_share_link_made_in_between(tenant: Any, anonymous: Api) -> None:
    """update/send/cancel/pay save the whole item; sharing must bump the version so they conflict."""
    from pynamodb.exceptions import PutError

    from chalicelib.store import documents as store

    invoice = tenant.invoice()
    stale = store.get_document(tenant.business_id, invoice["id"])
    assert stale is not None and stale.share_token is None
    path = invoice_path(tenant.share(invoice["id"]))
    stale.notes = "edited from a stale read"
    with pytest.raises(PutError):
        stale.save()
    assert anonymous.get(path).status == 200
    assert tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json["share_url"] == PUBLIC_BASE_URL + path
