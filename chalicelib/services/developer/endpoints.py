"""A business's webhook endpoints: register (https, public hosts), choose events, rotate the secret."""
from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain.developer_inputs import EndpointInput, EndpointUpdate
from chalicelib.domain.errors import NotFound, ValidationError
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import new_id
from chalicelib.domain.webhooks import check_endpoint_url, check_events, new_secret
from chalicelib.store import webhooks as store
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import iso, save_new, update_item

# A rotated secret still signs (a second v1) this long, so receivers can switch without losing events.
ROLLOVER = timedelta(hours=24)
WRITES_PER_MINUTE = 30


def limit_writes(principal: Principal) -> None:
    hit(f"dev-api#{principal.business_id}", WRITES_PER_MINUTE, 60, clock.now(),
        "Too many changes to webhook endpoints and API keys; wait a minute.")


def create_endpoint(principal: Principal, data: EndpointInput) -> tuple[store.WebhookEndpoint, str]:
    """The new endpoint and its signing secret (shown this once)."""
    limit_writes(principal)
    url = check_endpoint_url(data.url, settings().webhooks_dev_receiver)
    events = check_events(data.events)
    if len(store.all_endpoints(principal.business_id)) >= store.MAX_ENDPOINTS:
        raise ValidationError(f"A business can have at most {store.MAX_ENDPOINTS} webhook endpoints.")
    now, secret, endpoint_id = iso(clock.now()), new_secret(), new_id()
    endpoint = store.WebhookEndpoint(
        store.business_pk(principal.business_id), store.endpoint_sk(endpoint_id), endpoint_id=endpoint_id,
        url=url, events=events, description=data.description, secret=secret, created_at=now, updated_at=now)
    save_new(endpoint)
    return endpoint, secret


def get_endpoint(principal: Principal, endpoint_id: str) -> store.WebhookEndpoint:
    endpoint = store.get_endpoint(principal.business_id, endpoint_id)
    if endpoint is None:
        raise NotFound("Webhook endpoint not found.", field="endpoint_id")
    return endpoint


def list_endpoints(principal: Principal, limit: int, cursor: str | None) -> tuple[list[store.WebhookEndpoint], str | None]:
    return store.list_endpoints(principal.business_id, limit, cursor)


def update_endpoint(principal: Principal, endpoint_id: str, data: EndpointUpdate) -> store.WebhookEndpoint:
    endpoint = get_endpoint(principal, endpoint_id)
    limit_writes(principal)
    changes = data.given()
    if "url" in changes:
        changes["url"] = check_endpoint_url(str(changes["url"]), settings().webhooks_dev_receiver)
    if "events" in changes:
        changes["events"] = check_events(data.events or [])  # type: ignore[arg-type]
    update_item(endpoint, changes, iso(clock.now()))
    return endpoint


def delete_endpoint(principal: Principal, endpoint_id: str) -> None:
    """Gone at once: its pending deliveries find no endpoint and are marked failed."""
    endpoint = get_endpoint(principal, endpoint_id)
    limit_writes(principal)
    endpoint.delete()


def rotate_secret(principal: Principal, endpoint_id: str) -> tuple[store.WebhookEndpoint, str]:
    """A new secret (shown this once); the old one still signs for 24 h (`ROLLOVER`)."""
    endpoint = get_endpoint(principal, endpoint_id)
    limit_writes(principal)
    now, secret = clock.now(), new_secret()
    update_item(endpoint, {"secret": secret, "previous_secret": endpoint.secret,
                           "previous_until": iso(now + ROLLOVER)}, iso(now))
    return endpoint, secret


def signing_secrets(endpoint: store.WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and a rotated one within its rollover."""
    previous = endpoint.previous_secret
    if previous and endpoint.previous_until and endpoint.previous_until > iso(now):
        return [endpoint.secret, previous]
    return [endpoint.secret]
