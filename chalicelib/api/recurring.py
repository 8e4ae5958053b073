"""Staff: recurring invoices under `/api/v1/recurring` (made from an invoice, then issued by the scheduler)."""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.http import body, json_response, listed, staff_route
from chalicelib.domain.permissions import MANAGE_INVOICES, VIEW
from chalicelib.domain.principal import Principal
from chalicelib.domain.recurring_inputs import RecurringInput, RecurringUpdate
from chalicelib.services.recurring import templates

if TYPE_CHECKING:
    from chalicelib.store.recurring import Period, Template

bp = Blueprint(__name__)


def shown(t: Template) -> dict[str, Any]:
    return {
        "id": t.template_id, "client_id": t.client_id, "client_name": t.bill_to.name,
        "source_invoice_id": t.source_invoice_id, "currency": t.currency, "total": int(t.total),
        "lines": [{"description": line.description, "quantity": line.quantity, "unit_price": int(line.unit_price)}
                  for line in t.lines],
        "notes": t.notes, "terms": t.terms,
        "files": [{"resource_id": f.resource_id, "policy": f.policy} for f in t.files or []],
        "end": t.end, "end_after": int(t.end_after) if t.end_after is not None else None, "end_date": t.end_date,
        "auto_send": bool(t.auto_send), "auto_charge": bool(t.auto_charge), "catch_up": t.catch_up,
        "next_index": int(t.next_index), **templates.summary(t),
        "created_at": t.created_at, "updated_at": t.updated_at, "version": int(t.version or 0),
    }


def _period(p: Period) -> dict[str, Any]:
    return {"index": int(p.index), "issue_date": p.issue_date, "state": p.state, "invoice_id": p.doc_id,
            "number": p.number}


@staff_route(bp, "/api/v1/recurring", VIEW, methods=["GET"])
def list_recurring(principal: Principal) -> Any:
    return listed(bp.current_request, partial(templates.list_templates, principal), shown)


@staff_route(bp, "/api/v1/recurring", MANAGE_INVOICES, methods=["POST"])
def create_recurring(principal: Principal) -> Any:
    return json_response(shown(templates.create_from_invoice(principal, body(bp, RecurringInput))), 201)


@staff_route(bp, "/api/v1/recurring/{recurring_id}", VIEW, methods=["GET"])
def get_recurring(principal: Principal, recurring_id: str) -> Any:
    template, periods = templates.with_periods(principal, recurring_id)
    return json_response({**shown(template), "invoices": [_period(p) for p in reversed(periods)]})


@staff_route(bp, "/api/v1/recurring/{recurring_id}", MANAGE_INVOICES, methods=["PATCH"])
def update_recurring(principal: Principal, recurring_id: str) -> Any:
    return json_response(shown(templates.update(principal, recurring_id, body(bp, RecurringUpdate))))


@staff_route(bp, "/api/v1/recurring/{recurring_id}/pause", MANAGE_INVOICES, methods=["POST"])
def pause_recurring(principal: Principal, recurring_id: str) -> Any:
    return json_response(shown(templates.pause(principal, recurring_id)))


@staff_route(bp, "/api/v1/recurring/{recurring_id}/resume", MANAGE_INVOICES, methods=["POST"])
def resume_recurring(principal: Principal, recurring_id: str) -> Any:
    return json_response(shown(templates.resume(principal, recurring_id)))


@staff_route(bp, "/api/v1/recurring/{recurring_id}/stop", MANAGE_INVOICES, methods=["POST"])
def stop_recurring(principal: Principal, recurring_id: str) -> Any:
    return json_response(shown(templates.stop(principal, recurring_id)))
