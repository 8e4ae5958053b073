"""`/invoice/{token}`: the invoice a client opens from a share link."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import clock
from chalicelib.api.html import client_json, page_errors, payment_notice, render, track_open, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE
from chalicelib.api.urls import absolute_url
from chalicelib.services.payments.payment_return import check_number, payment_return
from chalicelib.services.portal.share_page import open_share_link, public_view

bp = Blueprint(__name__)


@bp.route("/invoice/{token}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@page_errors(lambda: bp.current_request.headers)
def invoice_page(token: str) -> Any:
    request = bp.current_request
    business, document, stored = open_share_link(token)
    track_open(request, business.business_id, document.doc_id, document.client_id)
    view = public_view(business, document, stored, clock.today(), absolute_url(bp.current_request, ""))
    if wants_json(bp.current_request.headers):
        return client_json(view)
    # Signing in (to find every file again) goes through the share token, so the page never
    # shows the business's id; JSON callers already hold the token.
    params = bp.current_request.query_params
    notice = payment_notice(params)
    page_url = absolute_url(bp.current_request, f"/invoice/{token}")
    returned = payment_return(document, stored, page_url, check_number(params)) if notice == "success" else None
    return render("invoice.html", **view, files_sign_in_url=absolute_url(bp.current_request, f"/invoice/{token}/signin"),
                  pay_url=absolute_url(bp.current_request, f"/invoice/{token}/pay"), payment_notice=notice,
                  payment_return=returned,
                  pdf_url=absolute_url(bp.current_request, f"/invoice/{token}/pdf"))
