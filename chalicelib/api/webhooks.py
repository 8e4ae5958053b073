"""`POST /webhooks/stripe`: verify the signature on the raw body, queue the event, answer 200.
The payments worker does the rest; nothing is queued for a bad, missing or stale signature."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import ANY_CONTENT_TYPE, json_errors, json_response
from chalicelib.services.payments import stripe_events

bp = Blueprint(__name__)
MAX_EVENT_BYTES = 512 * 1024  # Stripe events are a few KB


@bp.route("/webhooks/stripe", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@json_errors
def stripe_webhook() -> Any:
    request = bp.current_request
    raw: Any = request.raw_body or b""
    payload = raw if isinstance(raw, bytes) else str(raw).encode()
    if len(payload) > MAX_EVENT_BYTES:
        return json_response({"error": {"code": "invalid", "message": "The event is too large.", "field": None}}, 413)
    headers: Any = request.headers or {}
    event_id = stripe_events.receive(payload, headers.get("stripe-signature"))
    return json_response({"received": event_id})
