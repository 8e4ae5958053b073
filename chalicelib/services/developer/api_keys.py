"""Personal API keys: server-to-server access to the staff API alongside Cognito tokens.

A key (`pd_live_…`, 256 bits) is shown once; only its SHA-256 is stored, under which it is looked
up (one consistent GetItem a request, so a revoked key is refused from the next request on). It
acts for its business with the permissions of the role it was given (never above its creator's).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from chalicelib import clock
from chalicelib.domain.developer_inputs import ApiKeyInput
from chalicelib.domain.errors import Forbidden, NotFound, Unauthorized, ValidationError
from chalicelib.domain.permissions import ROLE_PERMISSIONS
from chalicelib.domain.principal import Principal
from chalicelib.services.developer.endpoints import limit_writes
from chalicelib.store import api_keys as store
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import iso, save_new

KEY_PREFIX = "pd_live_"
KEY_ACTOR = "apikey:"  # the user_id of a key's principal: apikey:<key_id>
REQUESTS_PER_MINUTE = 600
# Last use is written at most this often: a busy integration costs no write per request.
TOUCH_EVERY = timedelta(minutes=5)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def looks_like_key(value: str) -> bool:
    return value.startswith(KEY_PREFIX) and 40 <= len(value) <= 80 and value.isascii()


def create_key(principal: Principal, data: ApiKeyInput) -> tuple[store.ApiKey, str]:
    """The new key's record and the key itself (shown this once). Made by a person signed in:
    a key that could make keys would let a leaked one outlive its revocation."""
    if principal.user_id.startswith(KEY_ACTOR):
        raise Forbidden("API keys are made by a person signed in, not with another API key.")
    if not ROLE_PERMISSIONS[data.role] <= principal.permissions:
        raise Forbidden("A key cannot have a role above your own.", field="role")
    limit_writes(principal)
    if sum(not k.revoked_at for k in store.list_keys(principal.business_id)) >= store.MAX_KEYS:  # live ones
        raise ValidationError(f"A business can have at most {store.MAX_KEYS} API keys; revoke one first.")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    digest = key_hash(key)
    record = store.new_key(digest, digest[:16], principal.business_id, iso(clock.now()), name=data.name,
                           role=data.role, prefix=key[:12], created_by=principal.email or principal.user_id)
    save_new(record)
    return record, key


def list_keys(principal: Principal) -> list[store.ApiKey]:
    return store.list_keys(principal.business_id)


def revoke_key(principal: Principal, key_id: str) -> store.ApiKey:
    found = [k for k in store.list_keys(principal.business_id) if k.key_id == key_id]
    if not found:
        raise NotFound("API key not found.", field="key_id")
    limit_writes(principal)
    if not found[0].revoked_at:
        store.revoke(found[0], iso(clock.now()))
    return found[0]


def live_key_id(key: str) -> str | None:
    """The id of `key` when it exists and is not revoked (API Gateway's authorizer: no rate limit, no write)."""
    record = store.by_hash(key_hash(key)) if looks_like_key(key) else None
    return f"{KEY_ACTOR}{record.key_id}" if record is not None and not record.revoked_at else None


def authenticate(key: str) -> Principal:
    """The principal a key acts as. Raises Unauthorized (unknown or revoked) or TooManyRequests."""
    record = store.by_hash(key_hash(key)) if looks_like_key(key) else None
    if record is None or record.revoked_at:
        raise Unauthorized("This API key is not valid or was revoked.")
    now = clock.now()
    hit(f"apikey#{record.key_id}", REQUESTS_PER_MINUTE, 60, now, "Too many requests with this API key; slow down.")
    if not record.last_used_at or record.last_used_at < iso(now - TOUCH_EVERY):
        store.touch(record, iso(now))
    # No person behind a key: what it writes (messages, payments recorded) is signed with the key's name.
    return Principal(user_id=f"{KEY_ACTOR}{record.key_id}", email=f"API key “{record.name}”", business_id=record.business_id,
                     groups=(record.role,), permissions=ROLE_PERMISSIONS.get(record.role, frozenset()))
