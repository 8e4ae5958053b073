"""Personal API keys: created by staff (shown once, stored hashed), used as a bearer token on staff
routes (API Gateway's authorizer reads only Authorization), scoped to a role no higher than the
creator's, revoked at once, rate-limited, and confined to their business."""
from __future__ import annotations

import hashlib
from typing import Any

from chalicelib.store.api_keys import ApiKey
from tests.conftest import Api, Tenant

KEYS = "/api/v1/api-keys"


def create(tenant: Tenant, role: str = "staff", name: str = "Accounting sync") -> dict[str, Any]:
    reply = tenant.api.post(KEYS, {"name": name, "role": role})
    assert reply.status == 201, reply.body
    return reply.json  # type: ignore[no-any-return]


def test_a_key_is_shown_once_and_stored_only_as_its_hash(tenant: Tenant) -> None:
    made = create(tenant)
    key = made["key"]
    assert key.startswith("pd_live_") and made["prefix"] == key[:12]
    [listed] = tenant.api.get(KEYS).json["items"]
    assert "key" not in listed and listed["key_id"] == made["key_id"] and listed["last_used_at"] is None
    stored = [i for i in ApiKey.scan() if i.key_id == made["key_id"]]
    assert [i.pk for i in stored] == [f"APIKEY#{hashlib.sha256(key.encode()).hexdigest()}"]
    assert key not in repr(stored[0].attribute_values)


def test_a_key_calls_staff_routes_as_a_bearer_token(tenant: Tenant, http: Any) -> None:
    key = create(tenant)["key"]
    as_bearer = Api(http, key)
    client_id = as_bearer.post("/api/v1/clients", {"name": "Via API"}).json["client_id"]
    assert tenant.api.get(f"/api/v1/clients/{client_id}").json["name"] == "Via API"
    assert tenant.api.get(KEYS).json["items"][0]["last_used_at"]


def test_a_key_is_read_from_authorization_only(tenant: Tenant, http: Any) -> None:
    # API Gateway's authorizer reads Authorization alone: a request without it never reaches the app.
    reply = Api(http, extra_headers={"X-Api-Key": create(tenant)["key"]}).get("/api/v1/clients")
    assert reply.status == 401 and reply.error["code"] == "unauthorized"


def test_a_key_acts_within_its_role(tenant: Tenant, http: Any) -> None:
    viewer = Api(http, create(tenant, role="viewer", name="Reporting")["key"])
    me = viewer.get("/api/v1/me").json
    assert (me["business_id"], me["roles"], me["email"]) == (tenant.business_id, ["viewer"], "API key “Reporting”")
    assert viewer.get("/api/v1/clients").status == 200
    reply = viewer.post("/api/v1/clients", {"name": "Nope"})
    assert reply.status == 403 and reply.error["code"] == "forbidden"


def test_nobody_makes_a_key_above_their_own_role(tenant: Tenant, member_of: Any) -> None:
    admin = member_of(tenant, "admin")
    assert admin.post(KEYS, {"name": "Mine", "role": "admin"}).status == 201
    staff = member_of(tenant, "staff")
    assert staff.post(KEYS, {"name": "Mine", "role": "viewer"}).status == 403  # managing keys is the business's


def test_a_revoked_key_is_refused_at_once(tenant: Tenant, http: Any) -> None:
    made = create(tenant)
    caller = Api(http, made["key"])
    assert caller.get("/api/v1/clients").status == 200
    revoked = tenant.api.delete(f"{KEYS}/{made['key_id']}")
    assert revoked.status == 200 and revoked.json["revoked_at"]
    reply = caller.get("/api/v1/clients")  # the authorizer looks the key up (so does the app)
    assert reply.status == 401 and reply.error["code"] == "unauthorized"


def test_unknown_or_malformed_keys_are_401(http: Any) -> None:
    for key in ("pd_live_" + "x" * 43, "pd_live_short"):
        assert Api(http, key).get("/api/v1/clients").status == 401


def test_a_key_sees_only_its_own_business(tenant: Tenant, make_tenant: Any, http: Any) -> None:
    other = make_tenant("Other")
    theirs = other.client_id("Their client")
    caller = Api(http, create(tenant)["key"])
    assert caller.get(f"/api/v1/clients/{theirs}").status == 404
    assert other.api.delete(f"{KEYS}/{create(tenant)['key_id']}").status == 404


def test_a_key_is_rate_limited(tenant: Tenant, http: Any, frozen_clock: None, monkeypatch: Any) -> None:
    from chalicelib.services.developer import api_keys

    monkeypatch.setattr(api_keys, "REQUESTS_PER_MINUTE", 3)
    caller = Api(http, create(tenant)["key"])
    assert [caller.get("/api/v1/limits").status for _ in range(4)] == [200, 200, 200, 429]


def test_bad_input_names_the_field(tenant: Tenant) -> None:
    reply = tenant.api.post(KEYS, {"name": "x", "role": "superuser"})
    assert reply.status == 400 and reply.error["field"] == "role"
    assert tenant.api.get(KEYS).json["items"] == []


def test_a_revoked_key_frees_its_place_and_every_key_stays_listed_and_revocable(
        tenant: Tenant, http: Any, monkeypatch: Any) -> None:
    """The limit counts live keys: "revoke one first" works (revoked keys used to count for ever,
    so a business that had rotated its keys 50 times could never make another)."""
    from chalicelib.store import api_keys as store

    monkeypatch.setattr(store, "MAX_KEYS", 2)
    first, second = create(tenant, name="One"), create(tenant, name="Two")
    refused = tenant.api.post(KEYS, {"name": "Three", "role": "staff"})
    assert refused.status == 400 and "revoke one first" in refused.error["message"]
    assert tenant.api.delete(f"{KEYS}/{second['key_id']}").status == 200
    third = create(tenant, name="Three")
    assert [k["name"] for k in tenant.api.get(KEYS).json["items"]] == ["Three", "Two", "One"]
    assert tenant.api.delete(f"{KEYS}/{first['key_id']}").status == 200  # the oldest is still found
    assert Api(http, first["key"]).get("/api/v1/clients").status == 401
    assert Api(http, third["key"]).get("/api/v1/clients").status == 200


def test_a_key_cannot_make_another_key(tenant: Tenant, http: Any) -> None:
    """A leaked key that could mint keys would outlive its own revocation; keys are made by a
    person signed in. A key may still revoke one (that only takes access away)."""
    admin_key = Api(http, create(tenant, role="admin", name="Ops")["key"])
    reply = admin_key.post(KEYS, {"name": "Spare", "role": "admin"})
    assert reply.status == 403 and reply.error["code"] == "forbidden"
    assert [k["name"] for k in tenant.api.get(KEYS).json["items"]] == ["Ops"]
    other = create(tenant, name="Old")
    assert admin_key.delete(f"{KEYS}/{other['key_id']}").status == 200
