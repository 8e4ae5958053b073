"""Personal API keys: stored under the SHA-256 of the key (never the key), listed per business."""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from chalicelib.store.table import BaseItem, conditional

MAX_KEYS = 50


class ApiKey(BaseItem, discriminator="api_key"):
    key_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    prefix = UnicodeAttribute()  # the key's first characters, to tell keys apart in a list
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    last_used_at = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)


def key_pk(key_hash: str) -> str:
    return f"APIKEY#{key_hash}"


def keys_pk(business_id: str) -> str:
    return f"APIKEYS#{business_id}"


def new_key(key_hash: str, key_id: str, business_id: str, created_at: str, *, name: str, role: str, prefix: str,
            created_by: str) -> ApiKey:
    return ApiKey(key_pk(key_hash), "KEY", key_id=key_id, business_id=business_id, created_at=created_at,
                  gsi1pk=keys_pk(business_id), gsi1sk=f"{created_at}#{key_id}", name=name, role=role, prefix=prefix,
                  created_by=created_by)


def by_hash(key_hash: str) -> ApiKey | None:
    """The key behind a hash, read consistently: a revocation counts from the next request."""
    try:
        return ApiKey.get(key_pk(key_hash), "KEY", consistent_read=True)
    except ApiKey.DoesNotExist:
        return None


def list_keys(business_id: str) -> list[ApiKey]:
    """Every key of the business, newest first, revoked ones included (at most `MAX_KEYS` are live,
    so a first page of the newest could leave an older live key out of sight and unrevocable)."""
    return [k for k in ApiKey.gsi1.query(keys_pk(business_id), scan_index_forward=False) if isinstance(k, ApiKey)]


def revoke(key: ApiKey, now_iso: str) -> None:
    conditional(lambda: key.update(actions=[ApiKey.revoked_at.set(now_iso)],
                                   condition=ApiKey.revoked_at.does_not_exist()), "This key is already revoked.")


def touch(key: ApiKey, now_iso: str) -> None:
    key.update(actions=[ApiKey.last_used_at.set(now_iso)])
