"""What invoice and quote views share (`api/invoices.py`, `api/quotes.py`): the same use cases
on either kind, and the staff JSON of a document. No routes here: each lives, with its literal
path, in its resource's blueprint."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib import clock
from chalicelib.api import present
from chalicelib.api.http import json_response, page_params
from chalicelib.api.urls import absolute_url
from chalicelib.domain.inputs import DocumentInput, DocumentUpdate
from chalicelib.domain.principal import Principal
from chalicelib.services.billing import documents
from chalicelib.services.billing import share_link as sharing
from chalicelib.services.payments import autocharge
from chalicelib.services.portal import view_tracking as views

if TYPE_CHECKING:
    from chalicelib.store.documents import Document


def shown(request: Any, d: Document, stats: Any = None) -> dict[str, Any]:
    """The staff JSON of a document, with its share URL and view counters."""
    url = absolute_url(request, sharing.share_path(d.share_token)) if d.share_token else None
    return {**present.document(d, clock.today(), url), "views": present.view_stats(stats)}


def list_page(request: Any, principal: Principal, kind: str) -> Response:
    params: Mapping[str, str] = request.query_params or {}
    limit, cursor = page_params(params)
    items, next_cursor = documents.list_documents(principal, kind, limit, cursor, params.get("status"))
    stats = views.stats_for(principal.business_id, [d.doc_id for d in items])  # badges: one BatchGet
    return json_response(present.page([shown(request, d, stats.get(d.doc_id)) for d in items], next_cursor))


def create(request: Any, principal: Principal, kind: str, data: DocumentInput) -> Response:
    return json_response(shown(request, documents.create_document(principal, kind, data, clock.today())), 201)


def detail(request: Any, principal: Principal, kind: str, doc_id: str) -> Response:
    doc, ledger, overpaid = documents.with_payments(principal, kind, doc_id)
    data = shown(request, doc, views.stats_for(principal.business_id, [doc_id]).get(doc_id))
    data["payments"] = [present.payment(p) for p in ledger]
    data["overpaid"] = overpaid
    data["card_charge"] = autocharge.status_of(principal.business_id, doc_id)  # the last card charge, why it failed
    return json_response(data)


def update(request: Any, principal: Principal, kind: str, doc_id: str, data: DocumentUpdate) -> Response:
    return json_response(shown(request, documents.update_document(principal, kind, doc_id, data)))


def delete(principal: Principal, kind: str, doc_id: str) -> Response:
    documents.delete_draft(principal, kind, doc_id)
    return json_response({"deleted": True})


def send(request: Any, principal: Principal, kind: str, doc_id: str) -> Response:
    return json_response(shown(request, documents.mark_sent(principal, kind, doc_id)))


def cancel(request: Any, principal: Principal, kind: str, doc_id: str) -> Response:
    return json_response(shown(request, documents.cancel(principal, kind, doc_id)))
