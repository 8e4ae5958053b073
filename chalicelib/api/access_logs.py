"""Access logs per resource, client and invoice: JSON pages, or `?format=csv` for a file."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.http import json_response, page_params, staff_route
from chalicelib.domain.permissions import VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.delivery import access_log

bp = Blueprint(__name__)
CSV_ROWS = 1000  # one file; a longer log pages on with the cursor in `X-Next-Cursor`


def _log(principal: Principal, scope: str, scope_id: str) -> Any:
    params: Any = bp.current_request.query_params or {}
    as_csv = params.get("format") == "csv"
    limit, cursor = page_params(params)
    entries, next_cursor = access_log.access_log_of(principal, scope, scope_id, CSV_ROWS if as_csv else limit, cursor)
    if as_csv:
        return Response(body=access_log.access_log_csv(entries), status_code=200, headers={
            "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="access-log-{scope}-{scope_id}.csv"',
            "X-Next-Cursor": next_cursor or "",
        })
    items = [{name: getattr(e, name) for name in access_log.LOG_COLUMNS} for e in entries]
    return json_response({"items": items, "next_cursor": next_cursor})


@staff_route(bp, "/api/v1/resources/{resource_id}/access-log", VIEW)
def resource_log(principal: Principal, resource_id: str) -> Any:
    return _log(principal, "resource", resource_id)


@staff_route(bp, "/api/v1/clients/{client_id}/access-log", VIEW)
def client_log(principal: Principal, client_id: str) -> Any:
    return _log(principal, "client", client_id)


@staff_route(bp, "/api/v1/invoices/{doc_id}/access-log", VIEW)
def invoice_log(principal: Principal, doc_id: str) -> Any:
    return _log(principal, "invoice", doc_id)
