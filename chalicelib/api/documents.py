"""Invoices and quotes: the same routes under `/api/v1/invoices` and `/api/v1/quotes`."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalice import Blueprint

from chalicelib import clock
from chalicelib.api import present
from chalicelib.api.html import render
from chalicelib.api.http import body, json_response, page_params, staff_route
from chalicelib.api.urls import absolute_url
from chalicelib.domain.inputs import AttachInput, DocumentInput, DocumentUpdate, PaymentInput
from chalicelib.domain.invoices import INVOICE, QUOTE
from chalicelib.domain.payments import settle
from chalicelib.domain.permissions import MANAGE_INVOICES, MANAGE_RESOURCES, VIEW
from chalicelib.services.accounts.businesses import business_of
from chalicelib.services.billing import documents, invoice_emails, quotes
from chalicelib.services.billing import share_link as sharing
from chalicelib.services.billing.ledger import entries_of
from chalicelib.services.delivery import attachments
from chalicelib.services.delivery import grants as delivery
from chalicelib.services.identity.staff_auth import Principal
from chalicelib.services.portal import view_tracking as views
from chalicelib.services.portal.share_page import public_view
from chalicelib.store.documents import Document, load_collection

bp = Blueprint(__name__)


def _shown(d: Document, stats: Any = None) -> Any:
    url = absolute_url(bp.current_request, sharing.share_path(d.share_token)) if d.share_token else None
    return {**present.document(d, clock.today(), url), "views": present.view_stats(stats)}


def _route(path: str, permission: str, method: str, name: str) -> Callable[[Callable[..., Any]], Any]:
    def register(view: Callable[..., Any]) -> Any:
        view.__name__ = name  # chalice names routes after their function
        return staff_route(bp, path, permission, methods=[method])(view)

    return register


def _register(kind: str) -> None:
    base = f"/api/v1/{kind}s"
    _register_collection(kind, base)
    _register_item(kind, base + "/{doc_id}")


def _register_collection(kind: str, base: str) -> None:
    """List and create."""

    @_route(base, VIEW, "GET", f"list_{kind}s")
    def list_documents(principal: Principal) -> Any:
        params: Mapping[str, str] = bp.current_request.query_params or {}
        limit, cursor = page_params(params)
        items, next_cursor = documents.list_documents(principal, kind, limit, cursor, params.get("status"))
        stats = views.stats_for(principal.business_id, [d.doc_id for d in items])  # badges: one BatchGet
        return json_response(present.page([_shown(d, stats.get(d.doc_id)) for d in items], next_cursor))

    @_route(base, MANAGE_INVOICES, "POST", f"create_{kind}")
    def create(principal: Principal) -> Any:
        doc = documents.create_document(principal, kind, body(bp, DocumentInput), clock.today())
        return json_response(_shown(doc), 201)


def _register_item(kind: str, item: str) -> None:
    """Read, edit, delete, send and cancel one document."""

    @_route(item, VIEW, "GET", f"get_{kind}")
    def get(principal: Principal, doc_id: str) -> Any:
        doc = documents.get_document(principal, kind, doc_id)
        data = _shown(doc, views.stats_for(principal.business_id, [doc_id]).get(doc_id))
        ledger = documents.payments_of(principal, doc_id)
        data["payments"] = [present.payment(p) for p in ledger]
        # Money received beyond the total (e.g. two tabs paid at once): for staff to refund.
        data["overpaid"] = settle(entries_of(ledger), int(doc.total)).overpaid
        return json_response(data)

    @_route(item, MANAGE_INVOICES, "PATCH", f"update_{kind}")
    def update(principal: Principal, doc_id: str) -> Any:
        return json_response(_shown(documents.update_document(principal, kind, doc_id, body(bp, DocumentUpdate))))

    @_route(item, MANAGE_INVOICES, "DELETE", f"delete_{kind}")
    def delete(principal: Principal, doc_id: str) -> Any:
        documents.delete_draft(principal, kind, doc_id)
        return json_response({"deleted": True})

    @_route(item + "/send", MANAGE_INVOICES, "POST", f"send_{kind}")
    def send(principal: Principal, doc_id: str) -> Any:
        return json_response(_shown(documents.mark_sent(principal, kind, doc_id)))

    @_route(item + "/cancel", MANAGE_INVOICES, "POST", f"cancel_{kind}")
    def cancel(principal: Principal, doc_id: str) -> Any:
        return json_response(_shown(documents.cancel(principal, kind, doc_id)))


_register(INVOICE)
_register(QUOTE)


@staff_route(bp, "/api/v1/invoices/{doc_id}/payments", MANAGE_INVOICES, methods=["POST"])
def record_payment(principal: Principal, doc_id: str) -> Any:
    doc, payment = documents.record_payment(principal, doc_id, body(bp, PaymentInput), clock.today())
    return json_response({"invoice": _shown(doc), "payment": present.payment(payment)}, 201)


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


@staff_route(bp, "/api/v1/quotes/{doc_id}/convert", MANAGE_INVOICES, methods=["POST"])
def convert_quote(principal: Principal, doc_id: str) -> Any:
    """Turn an accepted quote into a sent invoice (when the business does not do it automatically)."""
    return json_response(_shown(quotes.convert_by_staff(principal, doc_id, clock.today())), 201)


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
    document = documents.get_document(principal, INVOICE, doc_id)
    business, stored = business_of(principal), load_collection(principal.business_id, doc_id)[1]
    view = public_view(business, document, stored, clock.today(), absolute_url(bp.current_request, ""))
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
