"""Client sessions: the signed cookie a client's contact holds after following a one-time email link.

The cookie value is an HS256 JWT. It is signed, not encrypted: it carries only what the
browser's owner already knows (their email and opaque ids), and it is HttpOnly.

A signature alone cannot end a session before it expires, so each cookie also carries the
contact's session generation (`gen`). Sign-out, removing the contact and changing its
address move the generation on (`services/identity/contact_access.py`), and every request compares
the two, reading the contact inside a read the page already makes.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from http.cookies import CookieError, SimpleCookie
from secrets import token_bytes
from typing import Any

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain.errors import Unavailable
from chalicelib.secrets import secret

MAX_AGE = 30 * 24 * 3600  # 30 days
SIGNING_KEY = "session-signing-key"
_ISSUER = "paydrop"
_AUDIENCE = "paydrop-client"
_ALGORITHM = "HS256"
_TEXT_CLAIMS = ("bid", "cid", "kid", "email")


@dataclass(frozen=True)
class ClientSession:
    business_id: str
    client_id: str
    contact_id: str
    email: str
    issued_at: int
    generation: int = 0


def _secure() -> bool:
    return not settings().is_local


def cookie_name() -> str:
    # Browsers only accept a `__Host-` cookie if it is Secure, has Path=/ and no Domain, so it
    # cannot be set by a sibling subdomain or over plain HTTP. Local runs are plain HTTP.
    return "__Host-paydrop_session" if _secure() else "paydrop_session"


def _attributes(max_age: int) -> str:
    return f"Max-Age={max_age}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if _secure() else "")


@cache
def _ephemeral_key() -> bytes:
    # Lets `make dev` work with no configuration; sessions end when the process does.
    return token_bytes(32)


def _signing_key() -> str | bytes:
    """The key that signs sessions; raises `Unavailable` in Lambda when it is not configured."""
    try:
        return secret(SIGNING_KEY)
    except Unavailable:
        if settings().in_lambda:
            raise  # fail closed: never sign cloud sessions with a made-up key
        return _ephemeral_key()


def issue(*, business_id: str, client_id: str, contact_id: str, email: str, generation: int = 0,
          now: int | None = None) -> str:
    """The `Set-Cookie` header value that starts a 30-day session for this contact."""
    issued_at = int(clock.now().timestamp()) if now is None else now
    claims = {
        "bid": business_id,
        "cid": client_id,
        "kid": contact_id,
        "email": email,
        "gen": generation,
        "iat": issued_at,
        "exp": issued_at + MAX_AGE,
        "iss": _ISSUER,
        "aud": _AUDIENCE,
    }
    import jwt  # here, not at import: PyJWT pulls in `cryptography`, tens of ms on every cold start

    token = jwt.encode(claims, _signing_key(), algorithm=_ALGORITHM)
    return f"{cookie_name()}={token}; {_attributes(MAX_AGE)}"


def clear() -> str:
    """The `Set-Cookie` header value that ends the session."""
    return f"{cookie_name()}=; {_attributes(0)}"


def _token(cookie_header: str) -> str | None:
    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(cookie_header)
    except CookieError:
        return None
    morsel = cookies.get(cookie_name())
    return morsel.value if morsel is not None and morsel.value else None


def read(cookie_header: str | None) -> ClientSession | None:
    """The session in a `Cookie` request header, or None if absent, forged, expired or malformed.

    Raises `Unavailable` only when the signing key cannot be fetched (never on bad input).
    """
    token = _token(cookie_header) if cookie_header else None
    if token is None:
        return None
    import jwt

    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            _signing_key(),
            algorithms=[_ALGORITHM],
            audience=_AUDIENCE,
            issuer=_ISSUER,
            # `gen` is required: a cookie from before generations existed cannot be ended, so it is refused.
            options={"require": ["exp", "iat", "iss", "aud", "gen", *_TEXT_CLAIMS]},
        )
    except jwt.PyJWTError:
        return None
    iat, gen = claims["iat"], claims["gen"]
    if not all(isinstance(claims[c], str) and claims[c] for c in _TEXT_CLAIMS):
        return None
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (iat, gen)):
        return None
    return ClientSession(claims["bid"], claims["cid"], claims["kid"], claims["email"], iat, gen)
