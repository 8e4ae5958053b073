""""Preview as client": the staff API hands out a one-time preview link (`…/preview-link`),
and `/preview/{token}` shows the client's invoice page or a contact's portal once, marked as
a preview, without tracking a view or logging access as the client
(services/portal/staff_preview.py says why the link is safe to open in a tab)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import clock
from chalicelib.api.html import brand, page_errors, render
from chalicelib.api.http import ANY_CONTENT_TYPE, json_response, staff_route
from chalicelib.api.urls import absolute_url
from chalicelib.domain import invoices as rules
from chalicelib.domain.permissions import VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.payments import stripe_gateway
from chalicelib.services.portal import portal
from chalicelib.services.portal import staff_preview as previews
from chalicelib.services.portal.share_page import public_view

bp = Blueprint(__name__)
NO_FORMS = "'none'"  # nothing on a preview page may submit anything, anywhere


def _link(token: str) -> Any:
    return json_response({"url": absolute_url(bp.current_request, previews.preview_path(token)),
                          "expires_in": previews.PREVIEW_SECONDS, "single_use": True}, 201)


@staff_route(bp, "/api/v1/invoices/{doc_id}/preview-link", VIEW, methods=["POST"])
def invoice_preview_link(principal: Principal, doc_id: str) -> Any:
    return _link(previews.start_invoice_preview(principal, doc_id))


@staff_route(bp, "/api/v1/clients/{client_id}/contacts/{contact_id}/preview-link", VIEW, methods=["POST"])
def portal_preview_link(principal: Principal, client_id: str, contact_id: str) -> Any:
    return _link(previews.start_portal_preview(principal, client_id, contact_id))


@bp.route("/preview/{token}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@page_errors(lambda: bp.current_request.headers)
def preview_page(token: str) -> Any:
    target = previews.open_preview(token)
    business = target.business
    here = absolute_url(bp.current_request, previews.preview_path(token))
    if target.kind == previews.INVOICE:
        document, stored = previews.previewed_invoice(target)
        view = public_view(business, document, stored, clock.today(), absolute_url(bp.current_request, ""))
        return render("staff_preview.html", form_action=NO_FORMS, preview_of="invoice.html", preview_what="this invoice",
                      **view, files_sign_in_url=None, pay_url=None, payment_notice=None, back_url=None, pdf_url=None)
    access = portal.PortalAccess(business.business_id, str(target.client_id), str(target.contact_id), None, business)
    view = portal.documents_tab(access, rules.INVOICE, None, clock.today())
    return render("staff_preview.html", form_action=NO_FORMS, preview_of="portal.html", preview_what="this contact’s portal",
                  business=brand(business), tab="invoices", tabs=portal.visible_tabs(business), view=view, base=here,
                  sign_out_url=None, can_pay=stripe_gateway.online_payment_available(bool(business.stripe_enabled)))
