"""`/api/v1/notifications`: the team's notification list with its unread count (`?limit=1` for just the
badge), and marking one read (`/{id}/read`) or all of them (`/all/read`)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import json_response, page_params, staff_route
from chalicelib.domain.permissions import VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.notifications import inbox
from chalicelib.services.notifications.digest_email import dashboard_route

bp = Blueprint(__name__)


@staff_route(bp, "/api/v1/notifications", VIEW)
def list_notifications(principal: Principal) -> Any:
    limit, cursor = page_params(bp.current_request.query_params)
    return json_response(inbox.page(principal.business_id, inbox.staff_recipient(), cursor, dashboard_route,
                                    min(limit, inbox.PAGE)))


@staff_route(bp, "/api/v1/notifications/{notification_id}/read", VIEW, methods=["POST"])
def read_notification(principal: Principal, notification_id: str) -> Any:
    """Mark one read, or every one with the id `all`; answers the new unread count."""
    inbox.mark_read(principal.business_id, inbox.staff_recipient(), notification_id)
    return json_response(inbox.unread_count(principal.business_id, inbox.staff_recipient()))
