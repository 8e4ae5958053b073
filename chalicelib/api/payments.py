"""Staff: the business's payments, refunds and disputes, newest first."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api import present
from chalicelib.api.http import json_response, page_params, staff_route
from chalicelib.domain.permissions import VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.billing import documents

bp = Blueprint(__name__)


@staff_route(bp, "/api/v1/payments", VIEW)
def payments(principal: Principal) -> Any:
    limit, cursor = page_params(bp.current_request.query_params)
    items, next_cursor = documents.list_payments(principal, limit, cursor)
    return json_response(present.page([present.payment(p) for p in items], next_cursor))
