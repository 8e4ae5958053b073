"""Staff: subscriptions under `/api/v1/subscriptions` (mirrored from Stripe's webhooks)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import check_path_ids, json_response, page_params, staff_route
from chalicelib.domain.permissions import VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.subscriptions import staff

bp = Blueprint(__name__)


@staff_route(bp, "/api/v1/subscriptions", VIEW, methods=["GET"])
def list_subscriptions(principal: Principal) -> Any:
    limit, cursor = page_params(bp.current_request.query_params)
    items, next_cursor = staff.list_subscriptions(principal, limit, cursor)
    return json_response({"items": items, "next_cursor": next_cursor})


@staff_route(bp, "/api/v1/subscriptions/{subscription_id}", VIEW, methods=["GET"])
def get_subscription(principal: Principal, subscription_id: str) -> Any:
    check_path_ids({"subscription_id": subscription_id})
    return json_response(staff.subscription_detail(principal, subscription_id))
