"""Token rules: how share/portal/claim tokens are made, stored and compared."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_BYTES = 32  # 256 bits of entropy, as the security rules require
_MAX_TOKEN_LENGTH = 128


def new_token() -> str:
    """A fresh URL-safe token with 256 bits of entropy."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The only form in which a token is stored or used as a key."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_TOKEN_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{20,{_MAX_TOKEN_LENGTH}}}")


def looks_like_token(token: str) -> bool:
    """Cheap shape check (URL-safe base64 alphabet, sane length), so garbage never reaches the database."""
    return _TOKEN_SHAPE.fullmatch(token) is not None


def same_token(candidate: str, stored_hash: str) -> bool:
    """Constant-time check that `candidate` is the token behind `stored_hash`."""
    return hmac.compare_digest(token_hash(candidate), stored_hash)


def new_id() -> str:
    """An opaque identifier for a stored thing (not a secret)."""
    return secrets.token_hex(10)
