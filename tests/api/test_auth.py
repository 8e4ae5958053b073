"""Staff sign-in and token verification: only genuine, current tokens of our pool get in."""
from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import PASSWORD, Api


def test_login_returns_cognito_tokens_that_open_the_api(tenant: Any, anonymous: Api) -> None:
    reply = anonymous.post("/api/v1/auth/login", {"email": tenant.email, "password": PASSWORD})
    assert reply.status == 200
    tokens = reply.json
    assert {"id_token", "access_token", "refresh_token", "expires_in"} <= set(tokens)
    me = Api(anonymous.http, tokens["id_token"]).get("/api/v1/me")
    assert me.status == 200
    assert me.json["business_id"] == tenant.business_id
    assert me.json["roles"] == ["owner"]
    assert "manage_invoices" in me.json["permissions"]


def test_refresh_gives_a_new_working_id_token(tenant: Any, anonymous: Api) -> None:
    tokens = anonymous.post("/api/v1/auth/login", {"email": tenant.email, "password": PASSWORD}).json
    reply = anonymous.post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert reply.status == 200
    assert Api(anonymous.http, reply.json["id_token"]).get("/api/v1/me").status == 200


@pytest.mark.parametrize("body", [
    {"email": "nobody@nowhere.test", "password": "whatever-123"},
])
def test_wrong_credentials_are_401_without_saying_which_part(tenant: Any, anonymous: Api, body: dict[str, str]) -> None:
    for attempt in (body, {"email": tenant.email, "password": "Wrong-Password-1"}):
        reply = anonymous.post("/api/v1/auth/login", attempt)
        assert reply.status == 401
        assert reply.error["message"] == "The email or password is not correct."


@pytest.mark.parametrize("body, field", [
    ({"email": "not-an-email", "password": "x"}, "email"),
    ({"email": "a@b.test"}, "password"),
    ({"email": "a@b.test", "password": "x", "remember": True}, "remember"),
    ({"email": 5, "password": "x"}, "email"),
])
def test_login_input_is_validated(anonymous: Api, body: dict[str, Any], field: str) -> None:
    reply = anonymous.post("/api/v1/auth/login", body)
    assert reply.status == 400
    assert reply.error["code"] == "invalid"
    assert reply.error["field"] == field


def test_refresh_with_a_made_up_token_is_401(anonymous: Api) -> None:
    assert anonymous.post("/api/v1/auth/refresh", {"refresh_token": "made-up"}).status == 401


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _forge(claims: dict[str, Any], kid: str = "dummy") -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _tamper(token: str, **changes: Any) -> str:
    """Same header and signature, edited payload: what an attacker can do without the key."""
    header, _, signature = token.split(".")
    data = {**_claims(token), **changes}
    edited = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{header}.{edited}.{signature}"


@pytest.fixture
def genuine(tenant: Any) -> str:
    assert tenant.api.token
    return tenant.api.token


def _forgeries(genuine: str, other_business: str) -> dict[str, str]:
    claims = _claims(genuine)
    now = int(time.time())
    return {
        "self-signed with our kid": _forge(claims),
        "moved to another business": _tamper(genuine, **{"custom:business_id": other_business}),
        "promoted to owner": _tamper(genuine, **{"cognito:groups": ["owner", "admin"]}),
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "HS256 with the public key id": jwt.encode(claims, "secret", algorithm="HS256", headers={"kid": "dummy"}),
        "garbage": "not-a-jwt",
        "empty bearer": "",
        "expired (self-signed)": _forge({**claims, "exp": now - 3600, "iat": now - 7200}),
    }


def test_forged_or_tampered_tokens_are_rejected(genuine: str, make_tenant: Any, anonymous: Api) -> None:
    other = make_tenant("Other")
    for name, token in _forgeries(genuine, other.business_id).items():
        reply = Api(anonymous.http, token).get("/api/v1/clients")
        assert reply.status == 401, name
        assert reply.error["code"] == "unauthorized", name


def test_access_token_instead_of_id_token_is_rejected(tenant: Any, anonymous: Api) -> None:
    tokens = anonymous.post("/api/v1/auth/login", {"email": tenant.email, "password": PASSWORD}).json
    assert Api(anonymous.http, tokens["access_token"]).get("/api/v1/me").status == 401


def _sign_as_the_pool(claims: dict[str, Any]) -> str:
    """A token signed with the user pool's real key (moto's), claims of our choosing."""
    from moto.utilities.utils import load_resource

    key = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json"))
    return jwt.encode(claims, key.key, algorithm="RS256", headers={"kid": "dummy"})


def test_the_pool_key_signs_tokens_we_accept(genuine: str, anonymous: Api) -> None:
    # Guards the tests below: a rejection there must come from the claim, not the key.
    assert Api(anonymous.http, _sign_as_the_pool(_claims(genuine))).get("/api/v1/me").status == 200


@pytest.mark.parametrize("change", [
    {"exp": int(time.time()) - 120, "iat": int(time.time()) - 3720},
    {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"},
    {"aud": "another-app-client"},
    {"token_use": "access"},
    {"custom:business_id": None},
])
def test_genuinely_signed_tokens_with_bad_claims_are_rejected(genuine: str, anonymous: Api, change: dict[str, Any]) -> None:
    claims = {k: v for k, v in {**_claims(genuine), **change}.items() if v is not None}
    reply = Api(anonymous.http, _sign_as_the_pool(claims)).get("/api/v1/me")
    assert reply.status in (401, 403)


def test_token_for_another_app_client_is_rejected(genuine: str, anonymous: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.config import reset_settings

    monkeypatch.setenv("USER_POOL_CLIENT_ID", "some-other-client")
    reset_settings()
    try:
        assert Api(anonymous.http, genuine).get("/api/v1/me").status == 401
    finally:
        monkeypatch.undo()
        reset_settings()


def test_missing_or_non_bearer_authorization_is_401(anonymous: Api, genuine: str) -> None:
    assert anonymous.get("/api/v1/invoices").status == 401
    assert anonymous.get("/api/v1/invoices", headers={"Authorization": f"Basic {genuine}"}).status == 401
