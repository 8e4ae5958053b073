"""Staff: invoices under `/api/v1/invoices` (quotes share the document views: `api/document_views.py`)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import clock
from chalicelib.api import document_views, present
from chalicelib.api.html import render
from chalicelib.api.http import body, json_response, page_params, staff_route
from chalicelib.api.urls import absolute_url
from chalicelib.domain.inputs import AttachInput, DocumentInput, DocumentUpdate, PaymentInput
from chalicelib.domain.invoices import INVOICE
from chalicelib.domain.permissions import MANAGE_INVOICES, MANAGE_RESOURCES, VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts.businesses import business_of
from chalicelib.services.billing import documents, invoice_emails
from chalicelib.services.billing import share_link as sharing
from chalicelib.services.delivery import attachments
from chalicelib.services.delivery import grants as delivery
from chalicelib.services.portal import view_tracking as views
from chalicelib.services.portal.share_page import public_view

bp = Blueprint(__name__)


@staff_route(bp, "/api/v1/invoices", VIEW, methods=["GET"])
def list_invoices(principal: Principal) -> Any:
    return document_views.list_page(bp.current_request, principal, INVOICE)


@staff_route(bp, "/api/v1/invoices", MANAGE_INVOICES, methods=["POST"])
def create_invoice(principal: Principal) -> Any:
    return document_views.create(bp.current_request, principal, INVOICE, body(bp, DocumentInput))


@staff_route(bp, "/api/v1/invoices/{doc_id}", VIEW, methods=["GET"])
def get_invoice(principal: Principal, doc_id: str) -> Any:
    return document_views.detail(bp.current_request, principal, INVOICE, doc_id)


@staff_route(bp, "/api/v1/invoices/{doc_id}", MANAGE_INVOICES, methods=["PATCH"])
def update_invoice(principal: Principal, doc_id: str) -> Any:
    return document_views.update(bp.current_request, principal, INVOICE, doc_id, body(bp, DocumentUpdate))


@staff_route(bp, "/api/v1/invoices/{doc_id}", MANAGE_INVOICES, methods=["DELETE"])
def delete_invoice(principal: Principal, doc_id: str) -> Any:
    return document_views.delete(principal, INVOICE, doc_id)


@staff_route(bp, "/api/v1/invoices/{doc_id}/send", MANAGE_INVOICES, methods=["POST"])
def send_invoice(principal: Principal, doc_id: str) -> Any:
    return document_views.send(bp.current_request, principal, INVOICE, doc_id)


@staff_route(bp, "/api/v1/invoices/{doc_id}/cancel", MANAGE_INVOICES, methods=["POST"])
def cancel_invoice(principal: Principal, doc_id: str) -> Any:
    return document_views.cancel(bp.current_request, principal, INVOICE, doc_id)


@staff_route(bp, "/api/v1/invoices/{doc_id}/payments", MANAGE_INVOICES, methods=["POST"])
def record_payment(principal: Principal, doc_id: str) -> Any:
    doc, payment = documents.record_payment(principal, doc_id, body(bp, PaymentInput), clock.today())
    return json_response({"invoice": document_views.shown(bp.current_request, doc), "payment": present.payment(payment)}, 201)


@staff_route(bp, "/api/v1/invoices/{doc_id}/resources", MANAGE_RESOURCES, methods=["POST"])
def attach_resource(principal: Principal, doc_id: str) -> Any:
    return json_response(_grant(attachments.attach_to_invoice(principal, doc_id, body(bp, AttachInput))), 201)


@staff_route(bp, "/api/v1/invoices/{doc_id}/grants", VIEW)
def list_grants(principal: Principal, doc_id: str) -> Any:
    grants = delivery.invoice_grants(principal, doc_id)
    return json_response({"items": [_grant(g) for g in grants]})


@staff_route(bp, "/api/v1/invoices/{doc_id}/grants/{grant_id}/{action}", MANAGE_RESOURCES, methods=["POST"])
def grant_action(principal: Principal, doc_id: str, grant_id: str, action: str) -> Any:
    delivery.check_action(action)
    return json_response(_grant(delivery.act_on_invoice_grant(principal, doc_id, grant_id, action)))


def _grant(g: Any) -> Any:
    return present.grant(g, bp.current_request)


@staff_route(bp, "/api/v1/invoices/{doc_id}/views", VIEW)
def view_log(principal: Principal, doc_id: str) -> Any:
    """Who opened the invoice's links: the counters and the full log, newest first."""
    documents.get_document(principal, INVOICE, doc_id)
    limit, cursor = page_params(bp.current_request.query_params)
    entries, next_cursor = views.view_log(principal.business_id, doc_id, limit, cursor)
    stats = views.stats_for(principal.business_id, [doc_id]).get(doc_id)
    return json_response({**present.view_stats(stats), "items": [present.view(e) for e in entries],
                          "next_cursor": next_cursor})


@staff_route(bp, "/api/v1/invoices/{doc_id}/preview", VIEW)
def preview(principal: Principal, doc_id: str) -> Any:
    """The client's page as staff see it before sending: rendered here, so it never counts as a view."""
    document, stored = documents.document_and_items(principal, INVOICE, doc_id)
    view = public_view(business_of(principal), document, stored, clock.today(), absolute_url(bp.current_request, ""))
    return render("invoice.html", **view, files_sign_in_url=None, pay_url=None, payment_notice=None)


@staff_route(bp, "/api/v1/invoices/{doc_id}/email", MANAGE_INVOICES, methods=["POST"])
def email_invoice(principal: Principal, doc_id: str) -> Any:
    """Email the invoice to the client's contacts (a draft is sent first); opted-out contacts are skipped."""
    outcome = invoice_emails.email_invoice(principal, doc_id)
    return json_response({"sent_to": outcome.sent_to, "skipped": outcome.skipped})


@staff_route(bp, "/api/v1/invoices/{doc_id}/remind", MANAGE_INVOICES, methods=["POST"])
def remind(principal: Principal, doc_id: str) -> Any:
    outcome = invoice_emails.send_reminder(principal, doc_id, clock.today())
    return json_response({"sent_to": outcome.sent_to, "skipped": outcome.skipped})


@staff_route(bp, "/api/v1/invoices/{doc_id}/share", MANAGE_INVOICES, methods=["POST"])
def share(principal: Principal, doc_id: str) -> Any:
    token = sharing.share_invoice(principal, doc_id)
    return json_response({"url": absolute_url(bp.current_request, sharing.share_path(token))})


@staff_route(bp, "/api/v1/invoices/{doc_id}/share", MANAGE_INVOICES, methods=["DELETE"])
def unshare(principal: Principal, doc_id: str) -> Any:
    sharing.revoke_share(principal, doc_id)
    return json_response({"revoked": True})


@staff_route(bp, "/api/v1/invoices/{doc_id}/share/regenerate", MANAGE_INVOICES, methods=["POST"])
def reshare(principal: Principal, doc_id: str) -> Any:
    """A new share link; the old one stops working at once (one transaction)."""
    token = sharing.regenerate_share(principal, doc_id)
    return json_response({"url": absolute_url(bp.current_request, sharing.share_path(token))})
