"""Receipts of payments: `/portal/{token}/receipts/{doc_id}/{payment_id}` (page, or JSON) and
its `/pdf` (302 to a presigned GET) for the portal's client, and the same for a pre-payment
(`/portal/{token}/pre-payment/{prepay_id}/receipt`, `/pdf`); for staff under
`/api/v1/invoices/{doc_id}/payments/{payment_id}/receipt` (JSON, and `/pdf`: `{"url"}`).

The PDF code is imported inside the views: `import app` pays for none of reportlab."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.html import brand, client_headers, client_json, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, json_response, new_nonce, staff_route
from chalicelib.api.portal_access import open_portal_tab
from chalicelib.api.urls import absolute_url
from chalicelib.domain.permissions import VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts.businesses import business_of
from chalicelib.services.billing import receipts

bp = Blueprint(__name__)


def _errors() -> Any:
    return page_errors(lambda: bp.current_request.headers)


def _receipt_page(token: str, business: Any, view: dict[str, Any], pdf_path: str) -> Any:
    """A receipt as the page (or JSON), with its PDF's link under the portal (`pdf_path`)."""
    if wants_json(bp.current_request.headers):
        return client_json(view)
    base = absolute_url(bp.current_request, f"/portal/{token}")
    return render("receipt.html", business=brand(business), receipt=view, base=base, locale=view["locale"],
                  pdf_url=f"{base}/{pdf_path}")


def _to_pdf(business: Any, view: dict[str, Any]) -> Response:
    """302 to the receipt's PDF (a short presigned GET)."""
    headers = client_headers(new_nonce())
    headers["Location"] = receipts.receipt_pdf(business, view).url
    return Response(body="", status_code=302, headers=headers)


def _portal_receipt(token: str, doc_id: str, payment_id: str) -> tuple[Any, dict[str, Any]]:
    access, business = open_portal_tab(bp.current_request, token, "payments", {"doc_id": doc_id, "payment_id": payment_id})
    return business, receipts.receipt(business, doc_id, payment_id, access.client_id)


@bp.route("/portal/{token}/receipts/{doc_id}/{payment_id}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_receipt(token: str, doc_id: str, payment_id: str) -> Any:
    business, view = _portal_receipt(token, doc_id, payment_id)
    return _receipt_page(token, business, view, f"receipts/{doc_id}/{payment_id}/pdf")


@bp.route("/portal/{token}/receipts/{doc_id}/{payment_id}/pdf", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_receipt_pdf(token: str, doc_id: str, payment_id: str) -> Any:
    return _to_pdf(*_portal_receipt(token, doc_id, payment_id))


def _prepayment_receipt(token: str, prepay_id: str) -> tuple[Any, dict[str, Any]]:
    access, business = open_portal_tab(bp.current_request, token, "payments", {"prepay_id": prepay_id})
    return business, receipts.prepayment_receipt(business, access.client_id, prepay_id)


@bp.route("/portal/{token}/pre-payment/{prepay_id}/receipt", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_prepayment_receipt(token: str, prepay_id: str) -> Any:
    """The receipt of a pre-payment the client made (it became credit); another client's is a 404."""
    business, view = _prepayment_receipt(token, prepay_id)
    return _receipt_page(token, business, view, f"pre-payment/{prepay_id}/receipt/pdf")


@bp.route("/portal/{token}/pre-payment/{prepay_id}/receipt/pdf", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_prepayment_receipt_pdf(token: str, prepay_id: str) -> Any:
    return _to_pdf(*_prepayment_receipt(token, prepay_id))


@staff_route(bp, "/api/v1/invoices/{doc_id}/payments/{payment_id}/receipt", VIEW)
def staff_receipt(principal: Principal, doc_id: str, payment_id: str) -> Any:
    return json_response(receipts.receipt(business_of(principal), doc_id, payment_id))


@staff_route(bp, "/api/v1/invoices/{doc_id}/payments/{payment_id}/receipt/pdf", VIEW)
def staff_receipt_pdf(principal: Principal, doc_id: str, payment_id: str) -> Any:
    business = business_of(principal)
    return json_response({"url": receipts.receipt_pdf(business, receipts.receipt(business, doc_id, payment_id)).url})
