"""`POST /api/v1/invoices/{doc_id}/charge-now`: staff charge the client's saved card now."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import json_response, staff_route
from chalicelib.domain.permissions import MANAGE_INVOICES
from chalicelib.domain.principal import Principal
from chalicelib.services.payments import autocharge

bp = Blueprint(__name__)


@staff_route(bp, "/api/v1/invoices/{doc_id}/charge-now", MANAGE_INVOICES, methods=["POST"])
def charge_now(principal: Principal, doc_id: str) -> Any:
    """Charge the balance to the client's default saved card (off-session). 200 with
    `outcome` `submitted` (the payment webhook records it) or `failed` (why: `card_charge`)."""
    outcome, state = autocharge.charge_now(principal, doc_id)
    return json_response({"outcome": outcome, "card_charge": state})
