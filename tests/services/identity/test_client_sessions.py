"""A client's contact holds a signed, HttpOnly session cookie; anything forged, stale or garbled reads as signed out."""
from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import jwt
import pytest

from chalicelib.config import reset_settings, settings
from chalicelib.domain.errors import Unavailable
from chalicelib.secrets import reset_secrets
from chalicelib.services.identity import client_sessions
from chalicelib.services.identity.client_sessions import ClientSession

KEY = "test-session-signing-key-0123456789abcdef"
OTHER_KEY = "another-signing-key-0123456789abcdef-xyz"


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Set the signing key and whether we run locally; the real environment is back after the test."""

    def apply(key: str | None = KEY, local: bool = True) -> None:
        if key is None:
            monkeypatch.delenv("PAYDROP_SECRET_SESSION_SIGNING_KEY", raising=False)
        else:
            monkeypatch.setenv("PAYDROP_SECRET_SESSION_SIGNING_KEY", key)
        if local:
            monkeypatch.setenv("PAYDROP_AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        else:
            monkeypatch.delenv("PAYDROP_AWS_ENDPOINT_URL", raising=False)
        reset_settings()
        reset_secrets()

    apply()
    yield apply
    monkeypatch.undo()
    reset_settings()
    reset_secrets()


def _issue(now: int | None = None) -> str:
    return client_sessions.issue(business_id="b1", client_id="c1", contact_id="k1", email="ada@acme.test", now=now)


def _cookie_header(set_cookie: str) -> str:
    """What the browser sends back for a `Set-Cookie` header value."""
    return set_cookie.split(";", 1)[0]


def _token(set_cookie: str) -> str:
    return _cookie_header(set_cookie).split("=", 1)[1]


def _claims(**change: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"bid": "b1", "cid": "c1", "kid": "k1", "email": "ada@acme.test", "gen": 0, "iat": now, "exp": now + 3600,
              "iss": "paydrop", "aud": "paydrop-client", **change}
    return {k: v for k, v in claims.items() if v is not None}


def _sent(token: str) -> str:
    return f"{client_sessions.cookie_name()}={token}"


def test_locally_the_cookie_is_httponly_lax_30_days_and_not_secure(configure: Callable[..., None]) -> None:
    header = _issue()
    assert header.startswith("paydrop_session=")
    attributes = [a.strip() for a in header.split(";")[1:]]
    assert set(attributes) == {"Max-Age=2592000", "Path=/", "HttpOnly", "SameSite=Lax"}


def test_outside_local_the_cookie_is_secure_and_host_prefixed(configure: Callable[..., None]) -> None:
    configure(local=False)
    header = _issue()
    assert header.startswith("__Host-paydrop_session=")
    attributes = [a.strip() for a in header.split(";")[1:]]
    assert set(attributes) == {"Max-Age=2592000", "Path=/", "HttpOnly", "SameSite=Lax", "Secure"}
    assert "Domain" not in header  # `__Host-` forbids it


@pytest.mark.parametrize("local", [True, False])
def test_a_session_survives_the_round_trip(configure: Callable[..., None], local: bool) -> None:
    configure(local=local)
    header = _issue(now=int(time.time()) - 60)
    sent = f"theme=dark; {_cookie_header(header)}; other=1"
    assert client_sessions.read(sent) == ClientSession("b1", "c1", "k1", "ada@acme.test", int(time.time()) - 60)


def test_the_token_carries_the_agreed_claims(configure: Callable[..., None]) -> None:
    claims = jwt.decode(_token(_issue(now=1_000)), KEY, algorithms=["HS256"],
                        audience="paydrop-client", options={"verify_exp": False})
    assert claims == {"bid": "b1", "cid": "c1", "kid": "k1", "email": "ada@acme.test", "gen": 0, "iat": 1_000,
                      "exp": 1_000 + 2_592_000, "iss": "paydrop", "aud": "paydrop-client"}


def test_a_tampered_payload_is_rejected(configure: Callable[..., None]) -> None:
    header_part, payload, signature = _token(_issue()).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["bid"] = "someone-elses-business"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert client_sessions.read(_sent(f"{header_part}.{forged}.{signature}")) is None


def test_a_session_signed_before_the_key_changed_is_rejected(configure: Callable[..., None]) -> None:
    header = _issue()
    configure(key=OTHER_KEY)
    assert client_sessions.read(_cookie_header(header)) is None


def test_a_token_signed_with_another_key_is_rejected(configure: Callable[..., None]) -> None:
    assert client_sessions.read(_sent(jwt.encode(_claims(), OTHER_KEY, algorithm="HS256"))) is None


def test_an_unsigned_alg_none_token_is_rejected(configure: Callable[..., None]) -> None:
    assert client_sessions.read(_sent(jwt.encode(_claims(), "", algorithm="none"))) is None


def test_a_token_signed_with_another_hmac_algorithm_is_rejected(configure: Callable[..., None]) -> None:
    assert client_sessions.read(_sent(jwt.encode(_claims(), KEY, algorithm="HS512"))) is None


@pytest.mark.parametrize("change", [
    {"exp": int(time.time()) - 10, "iat": int(time.time()) - 3600},
    {"aud": "paydrop-staff"},
    {"iss": "someone-else"},
    {"exp": None},
    {"iat": None},
    {"aud": None},
    {"kid": None},
    {"email": None},
    {"bid": 42},
    {"cid": ["c1"]},
    {"email": ""},
    {"iat": "1700000000"},
    {"iat": int(time.time()) + 3600},
    {"gen": None},  # a cookie that cannot be ended (from before generations) is refused
    {"gen": "0"},
    {"gen": True},
])
def test_genuinely_signed_tokens_with_bad_claims_are_rejected(configure: Callable[..., None], change: dict[str, Any]) -> None:
    assert client_sessions.read(_sent(jwt.encode(_claims(), KEY, algorithm="HS256"))) is not None  # guards the test
    assert client_sessions.read(_sent(jwt.encode(_claims(**change), KEY, algorithm="HS256"))) is None


@pytest.mark.parametrize("cookie_header", [
    None,
    "",
    "theme=dark",
    "paydrop_session=",
    "paydrop_session=not-a-jwt",
    "paydrop_session=a.b.c",
    'paydrop_session="unterminated',
    "paydrop_session=é.ü.ñ",
    "\x00\x01;;;===",
    "$Version=1; paydrop_session=x",
    "paydrop_session=" + "A" * 10_000,
])
def test_missing_or_garbled_cookies_read_as_signed_out(configure: Callable[..., None], cookie_header: str | None) -> None:
    assert client_sessions.read(cookie_header) is None


def test_the_local_name_is_not_accepted_where_the_host_prefix_is_required(configure: Callable[..., None]) -> None:
    configure(local=False)
    token = _token(_issue())
    assert client_sessions.read(f"paydrop_session={token}") is None
    assert client_sessions.read(f"__Host-paydrop_session={token}") is not None


@pytest.mark.parametrize("local", [True, False])
def test_clearing_expires_the_cookie_with_the_same_attributes(configure: Callable[..., None], local: bool) -> None:
    configure(local=local)
    issued = _issue().split(";")
    cleared = client_sessions.clear().split(";")
    assert cleared[0] == f"{client_sessions.cookie_name()}="
    assert "Max-Age=0" in [a.strip() for a in cleared]
    assert {a.strip() for a in cleared[1:]} - {"Max-Age=0"} == {a.strip() for a in issued[1:]} - {"Max-Age=2592000"}


def test_locally_without_a_key_sessions_still_work_for_this_process(configure: Callable[..., None]) -> None:
    configure(key=None)
    header = _issue()
    assert client_sessions.read(_cookie_header(header)) is not None


def test_in_lambda_without_a_key_nothing_is_signed(configure: Callable[..., None], monkeypatch: pytest.MonkeyPatch) -> None:
    configure(key=None, local=False)
    lambda_settings = replace(settings(), in_lambda=True)

    def unavailable(name: str) -> str:
        raise Unavailable(f"parameter /paydrop/test/{name} does not exist")

    monkeypatch.setattr(client_sessions, "settings", lambda: lambda_settings)
    monkeypatch.setattr(client_sessions, "secret", unavailable)
    with pytest.raises(Unavailable):
        _issue()
    with pytest.raises(Unavailable):
        client_sessions.read(_sent(jwt.encode(_claims(), KEY, algorithm="HS256")))
    assert client_sessions.read(None) is None  # no cookie: no need for the key
