"""API Gateway's staff authorizer (api/staff_authorizer.py), called with the event API Gateway sends:
a Cognito ID token or a live API key is let through to every staff route; a revoked key, garbage or
nothing is turned away. And the app's own check refuses a revoked key even while an allow is cached."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.api.staff_authorizer import TTL_SECONDS, staff_authorizer
from tests.conftest import Api, Tenant

EVENTS = Path(__file__).resolve().parent.parent / "events" / "apigateway"
KEYS = "/api/v1/api-keys"
ALL_ROUTES = "arn:aws:execute-api:eu-west-1:123456789012:abc123/api/*/*"


def authorize(header: str) -> dict[str, Any]:
    event = json.loads((EVENTS / "token_authorizer.json").read_text())
    event["authorizationToken"] = header
    return staff_authorizer(event, {})  # type: ignore[no-any-return]


def effect(result: dict[str, Any]) -> tuple[str, list[str]]:
    [statement] = result["policyDocument"]["Statement"]
    return statement["Effect"], statement["Resource"]


def new_key(tenant: Tenant) -> dict[str, Any]:
    reply = tenant.api.post(KEYS, {"name": "Sync", "role": "staff"})
    assert reply.status == 201, reply.body
    return reply.json  # type: ignore[no-any-return]


def test_a_cognito_id_token_is_let_through_to_every_staff_route(tenant: Tenant) -> None:
    result = authorize(f"Bearer {tenant.api.token}")
    assert effect(result) == ("Allow", [ALL_ROUTES])
    assert result["principalId"] and not result["principalId"].startswith("apikey:")
    assert effect(authorize(str(tenant.api.token)))[0] == "Allow"  # a bare token, as the Cognito authorizer took


def test_a_live_key_is_let_through_and_a_revoked_one_turned_away(tenant: Tenant) -> None:
    made = new_key(tenant)
    result = authorize(f"Bearer {made['key']}")
    assert effect(result) == ("Allow", [ALL_ROUTES]) and result["principalId"] == f"apikey:{made['key_id']}"
    assert tenant.api.delete(f"{KEYS}/{made['key_id']}").status == 200
    assert effect(authorize(f"Bearer {made['key']}"))[0] == "Deny"


def test_garbage_unknown_keys_and_no_token_are_turned_away() -> None:
    for header in ("Bearer not-a-jwt", "Bearer a.b.c", "a.b.c", "Bearer pd_live_" + "x" * 43, "Basic dXNlcjpwYXNz", "",
                   "Bearer "):
        assert effect(authorize(header)) == ("Deny", [json.loads((EVENTS / "token_authorizer.json").read_text())
                                                      ["methodArn"]]), header


def test_answers_are_cached_briefly() -> None:
    assert staff_authorizer.config.ttl_seconds == TTL_SECONDS and 60 <= TTL_SECONDS <= 300


def test_the_app_refuses_a_revoked_key_while_the_gateway_still_has_an_allow_cached(
    tenant: Tenant, chalice_app: Any
) -> None:
    made = new_key(tenant)
    event = json.loads((EVENTS / "list_clients_cached_allow.json").read_text())
    event["headers"]["Authorization"] = event["multiValueHeaders"]["Authorization"][0] = f"Bearer {made['key']}"
    assert chalice_app(copy.deepcopy(event), None)["statusCode"] == 200
    assert tenant.api.delete(f"{KEYS}/{made['key_id']}").status == 200
    # API Gateway does not call the authorizer again within its TTL: the request reaches the function.
    reply = chalice_app(event, None)
    assert reply["statusCode"] == 401 and json.loads(reply["body"])["error"]["code"] == "unauthorized"


def test_sign_in_that_cannot_be_checked_is_503_and_not_cached(
    tenant: Tenant, anonymous: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.config import reset_settings
    from chalicelib.services.identity import staff_auth

    monkeypatch.setenv("COGNITO_JWKS_URL", "http://127.0.0.1:9/jwks.json")  # nothing listens on port 9
    reset_settings()
    staff_auth._jwks_client.cache_clear()
    try:
        reply = Api(anonymous.http, tenant.api.token).get("/api/v1/me")
        assert reply.status == 503 and reply.error["code"] == "unavailable"  # the template's AUTHORIZER_FAILURE
    finally:
        monkeypatch.undo()
        reset_settings()
        staff_auth._jwks_client.cache_clear()
    assert Api(anonymous.http, tenant.api.token).get("/api/v1/me").status == 200
