"""Access logs per resource, client and invoice: JSON pages; CSV files through background exports
(`POST …/access-log/exports` answers 202, `GET /api/v1/access-log/exports/{export_id}` says how
far it got and hands over the file's link when it is ready)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import json_response, page_params, staff_route
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.permissions import VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.delivery import access_log, access_log_export, log_names

bp = Blueprint(__name__)
EXPORT_STATUS = "/api/v1/access-log/exports/{export_id}"


def _log(principal: Principal, scope: str, scope_id: str) -> Any:
    params: Any = bp.current_request.query_params or {}
    if params.get("format") == "csv":
        # A Lambda response stops at 6 MB; a log does not.
        raise ValidationError("CSV files are made in the background: POST to this log's /exports "
                              "and follow the link it answers with.", field="format")
    limit, cursor = page_params(params)
    entries, next_cursor = access_log.access_log_of(principal, scope, scope_id, limit, cursor)
    book = log_names.NameBook(principal.business_id)
    book.learn(entries)  # one BatchGet for the page's names
    items = [{**{name: getattr(e, name) for name in access_log.LOG_COLUMNS}, **book.of(e)} for e in entries]
    return json_response({"items": items, "next_cursor": next_cursor})


def _export(principal: Principal, scope: str, scope_id: str) -> Any:
    export = access_log_export.start(principal, scope, scope_id)
    location = EXPORT_STATUS.format(export_id=export.export_id)
    return json_response({**access_log_export.present(export), "status_url": location}, 202, {"Location": location})


@staff_route(bp, "/api/v1/resources/{resource_id}/access-log", VIEW)
def resource_log(principal: Principal, resource_id: str) -> Any:
    return _log(principal, "resource", resource_id)


@staff_route(bp, "/api/v1/clients/{client_id}/access-log", VIEW)
def client_log(principal: Principal, client_id: str) -> Any:
    return _log(principal, "client", client_id)


@staff_route(bp, "/api/v1/invoices/{doc_id}/access-log", VIEW)
def invoice_log(principal: Principal, doc_id: str) -> Any:
    return _log(principal, "invoice", doc_id)


@staff_route(bp, "/api/v1/resources/{resource_id}/access-log/exports", VIEW, methods=["POST"])
def export_resource_log(principal: Principal, resource_id: str) -> Any:
    return _export(principal, "resource", resource_id)


@staff_route(bp, "/api/v1/clients/{client_id}/access-log/exports", VIEW, methods=["POST"])
def export_client_log(principal: Principal, client_id: str) -> Any:
    return _export(principal, "client", client_id)


@staff_route(bp, "/api/v1/invoices/{doc_id}/access-log/exports", VIEW, methods=["POST"])
def export_invoice_log(principal: Principal, doc_id: str) -> Any:
    return _export(principal, "invoice", doc_id)


@staff_route(bp, "/api/v1/access-log/exports/{export_id}", VIEW)
def export_status(principal: Principal, export_id: str) -> Any:
    return json_response(access_log_export.present(access_log_export.find(principal, export_id)))
