"""Developers: webhook endpoints (events, secret, deliveries, resend) and personal API keys."""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.http import body, json_response, listed, staff_route
from chalicelib.domain.developer_inputs import ApiKeyInput, EndpointInput, EndpointUpdate
from chalicelib.domain.permissions import MANAGE_BUSINESS
from chalicelib.domain.principal import Principal
from chalicelib.domain.webhooks import EVENT_TYPES
from chalicelib.services.developer import api_keys, deliveries, endpoints

if TYPE_CHECKING:
    from chalicelib.store.api_keys import ApiKey
    from chalicelib.store.webhooks import Delivery, WebhookEndpoint

bp = Blueprint(__name__)


def _endpoint(e: WebhookEndpoint, secret: str | None = None) -> dict[str, Any]:
    shown = {"secret": secret} if secret else {}  # only right after creation or rotation
    return {"endpoint_id": e.endpoint_id, "url": e.url, "events": list(e.events), "description": e.description,
            "enabled": e.enabled, "created_at": e.created_at, "updated_at": e.updated_at,
            "secret_rotated_until": e.previous_until, **shown}


def _delivery(d: Delivery) -> dict[str, Any]:
    return {"delivery_id": d.delivery_id, "event_id": d.event_id, "event_type": d.event_type, "status": d.status,
            "next_attempt_at": d.next_at if d.status == "pending" else None, "created_at": d.created_at,
            "attempts": [{"at": a.at, "status_code": a.status_code, "duration_ms": a.duration_ms, "error": a.error,
                          "response": a.response, "manual": a.manual} for a in d.attempts or []]}


def _key(k: ApiKey, key: str | None = None) -> dict[str, Any]:
    shown = {"key": key} if key else {}  # only right after creation: stored as its hash
    return {"key_id": k.key_id, "name": k.name, "role": k.role, "prefix": k.prefix, "created_by": k.created_by,
            "created_at": k.created_at, "last_used_at": k.last_used_at, "revoked_at": k.revoked_at, **shown}


@staff_route(bp, "/api/v1/webhook-endpoints", MANAGE_BUSINESS)
def list_webhook_endpoints(principal: Principal) -> Any:
    """The business's webhook endpoints, and the event types they can choose from."""
    return listed(bp.current_request, partial(endpoints.list_endpoints, principal), _endpoint,
                  event_types=list(EVENT_TYPES))


@staff_route(bp, "/api/v1/webhook-endpoints", MANAGE_BUSINESS, methods=["POST"])
def create_webhook_endpoint(principal: Principal) -> Any:
    """Register an https endpoint; the answer shows its signing secret, this once."""
    endpoint, secret = endpoints.create_endpoint(principal, body(bp, EndpointInput))
    return json_response(_endpoint(endpoint, secret), 201)


@staff_route(bp, "/api/v1/webhook-endpoints/{endpoint_id}", MANAGE_BUSINESS)
def get_webhook_endpoint(principal: Principal, endpoint_id: str) -> Any:
    return json_response(_endpoint(endpoints.get_endpoint(principal, endpoint_id)))


@staff_route(bp, "/api/v1/webhook-endpoints/{endpoint_id}", MANAGE_BUSINESS, methods=["PATCH"])
def update_webhook_endpoint(principal: Principal, endpoint_id: str) -> Any:
    """Change the URL, the events, the description, or pause it (enabled: false)."""
    return json_response(_endpoint(endpoints.update_endpoint(principal, endpoint_id, body(bp, EndpointUpdate))))


@staff_route(bp, "/api/v1/webhook-endpoints/{endpoint_id}", MANAGE_BUSINESS, methods=["DELETE"])
def delete_webhook_endpoint(principal: Principal, endpoint_id: str) -> Any:
    endpoints.delete_endpoint(principal, endpoint_id)
    return json_response({"deleted": True})


@staff_route(bp, "/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret", MANAGE_BUSINESS, methods=["POST"])
def rotate_webhook_secret(principal: Principal, endpoint_id: str) -> Any:
    """A new signing secret (shown this once); the old one also signs for 24 hours."""
    endpoint, secret = endpoints.rotate_secret(principal, endpoint_id)
    return json_response(_endpoint(endpoint, secret))


@staff_route(bp, "/api/v1/webhook-endpoints/{endpoint_id}/deliveries", MANAGE_BUSINESS)
def list_webhook_deliveries(principal: Principal, endpoint_id: str) -> Any:
    """Deliveries to this endpoint, newest first, each with its attempts and what came back."""
    return listed(bp.current_request, partial(deliveries.list_deliveries, principal, endpoint_id), _delivery)


@staff_route(bp, "/api/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/resend", MANAGE_BUSINESS,
             methods=["POST"])
def resend_webhook_delivery(principal: Principal, endpoint_id: str, delivery_id: str) -> Any:
    """Send this delivery again now (its event id unchanged: receivers dedupe on it)."""
    return json_response(_delivery(deliveries.resend(principal, endpoint_id, delivery_id)), 202)


@staff_route(bp, "/api/v1/api-keys", MANAGE_BUSINESS)
def list_api_keys(principal: Principal) -> Any:
    return json_response({"items": [_key(k) for k in api_keys.list_keys(principal)]})


@staff_route(bp, "/api/v1/api-keys", MANAGE_BUSINESS, methods=["POST"])
def create_api_key(principal: Principal) -> Any:
    """A personal API key with a role no higher than yours; the answer shows the key, this once."""
    record, key = api_keys.create_key(principal, body(bp, ApiKeyInput))
    return json_response(_key(record, key), 201)


@staff_route(bp, "/api/v1/api-keys/{key_id}", MANAGE_BUSINESS, methods=["DELETE"])
def revoke_api_key(principal: Principal, key_id: str) -> Any:
    """Revoke the key: requests with it are refused (401) from now on."""
    return json_response(_key(api_keys.revoke_key(principal, key_id)))
