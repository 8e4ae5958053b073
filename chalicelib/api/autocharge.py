"""Staff and saved cards: `POST /api/v1/invoices/{doc_id}/charge-now` charges the client's saved
card now; `GET /api/v1/clients/{client_id}/prepayment-plans` lists the client's repeating
pre-payments and `POST …/prepayment-plans/{plan_id}/stop` stops one."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import json_response, staff_route
from chalicelib.domain.permissions import MANAGE_INVOICES, VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.payments import autocharge, plan_controls

bp = Blueprint(__name__)


@staff_route(bp, "/api/v1/invoices/{doc_id}/charge-now", MANAGE_INVOICES, methods=["POST"])
def charge_now(principal: Principal, doc_id: str) -> Any:
    """Charge the balance to the client's default saved card (off-session). 200 with
    `outcome` `submitted` (the payment webhook records it) or `failed` (why: `card_charge`)."""
    outcome, state = autocharge.charge_now(principal, doc_id)
    return json_response({"outcome": outcome, "card_charge": state})


@staff_route(bp, "/api/v1/clients/{client_id}/prepayment-plans", VIEW)
def list_prepayment_plans(principal: Principal, client_id: str) -> Any:
    """The client's repeating pre-payments, newest first: amount, frequency, charges made and
    remaining, next date, status (active, paused with `reason`, finished, stopped)."""
    return json_response({"items": plan_controls.staff_plans(principal, client_id)})


@staff_route(bp, "/api/v1/clients/{client_id}/prepayment-plans/{plan_id}/stop", MANAGE_INVOICES, methods=["POST"])
def stop_prepayment_plan(principal: Principal, client_id: str, plan_id: str) -> Any:
    """Stop one for good (the client's contacts are emailed); 409 while a charge is with Stripe."""
    return json_response(plan_controls.staff_stop(principal, client_id, plan_id))
