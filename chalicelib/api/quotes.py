"""Staff: quotes under `/api/v1/quotes` (the document views they share with invoices: `api/document_views.py`)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import clock
from chalicelib.api import document_views
from chalicelib.api.http import body, json_response, staff_route
from chalicelib.domain.inputs import DocumentInput, DocumentUpdate
from chalicelib.domain.invoices import QUOTE
from chalicelib.domain.permissions import MANAGE_INVOICES, VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.billing import quotes

bp = Blueprint(__name__)


@staff_route(bp, "/api/v1/quotes", VIEW, methods=["GET"])
def list_quotes(principal: Principal) -> Any:
    return document_views.list_page(bp.current_request, principal, QUOTE)


@staff_route(bp, "/api/v1/quotes", MANAGE_INVOICES, methods=["POST"])
def create_quote(principal: Principal) -> Any:
    return document_views.create(bp.current_request, principal, QUOTE, body(bp, DocumentInput))


@staff_route(bp, "/api/v1/quotes/{doc_id}", VIEW, methods=["GET"])
def get_quote(principal: Principal, doc_id: str) -> Any:
    return document_views.detail(bp.current_request, principal, QUOTE, doc_id)


@staff_route(bp, "/api/v1/quotes/{doc_id}", MANAGE_INVOICES, methods=["PATCH"])
def update_quote(principal: Principal, doc_id: str) -> Any:
    return document_views.update(bp.current_request, principal, QUOTE, doc_id, body(bp, DocumentUpdate))


@staff_route(bp, "/api/v1/quotes/{doc_id}", MANAGE_INVOICES, methods=["DELETE"])
def delete_quote(principal: Principal, doc_id: str) -> Any:
    return document_views.delete(principal, QUOTE, doc_id)


@staff_route(bp, "/api/v1/quotes/{doc_id}/send", MANAGE_INVOICES, methods=["POST"])
def send_quote(principal: Principal, doc_id: str) -> Any:
    return document_views.send(bp.current_request, principal, QUOTE, doc_id)


@staff_route(bp, "/api/v1/quotes/{doc_id}/cancel", MANAGE_INVOICES, methods=["POST"])
def cancel_quote(principal: Principal, doc_id: str) -> Any:
    return document_views.cancel(bp.current_request, principal, QUOTE, doc_id)


@staff_route(bp, "/api/v1/quotes/{doc_id}/convert", MANAGE_INVOICES, methods=["POST"])
def convert_quote(principal: Principal, doc_id: str) -> Any:
    """Turn an accepted quote into a sent invoice (when the business does not do it automatically)."""
    invoice = quotes.convert_by_staff(principal, doc_id, clock.today())
    return json_response(document_views.shown(bp.current_request, invoice), 201)
