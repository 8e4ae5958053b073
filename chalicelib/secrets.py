"""Secrets: from `PAYDROP_SECRET_<NAME>` locally, from SSM Parameter Store in the cloud.

Values are never logged, and never put in error messages: only parameter names are.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain.errors import Unavailable


class SecretMissing(Unavailable):
    """The secret is not configured at all (as opposed to a read that failed just now)."""


def secret(name: str) -> str:
    """The secret `name` (e.g. `session-signing-key`); raises `Unavailable` when it is not configured."""
    s = settings()
    local = s.local_secrets.get(name)
    if local:
        return local
    if not s.in_lambda:
        variable = "PAYDROP_SECRET_" + name.upper().replace("-", "_")
        raise SecretMissing(f"secret {name!r} is not configured (set {variable})")
    return _cached_parameter(f"/paydrop/{s.stage}/{name}", s.secret_ttl_seconds)


# path -> (value, when it was read). Only successful reads are stored.
_fetched: dict[str, tuple[str, datetime]] = {}


def _cached_parameter(path: str, ttl_seconds: int) -> str:
    # Reused for `ttl_seconds` (SECRET_TTL_SECONDS, default 5 minutes): one SSM call per
    # container per TTL rather than per request, yet a rotated secret is picked up without a
    # redeploy. A failed read raises and stores nothing, so the next call retries.
    now = clock.now()
    hit = _fetched.get(path)
    if hit is not None and now - hit[1] < timedelta(seconds=ttl_seconds):
        return hit[0]
    value = _parameter(path)
    _fetched[path] = (value, now)
    return value


def _parameter(path: str) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib.aws import client

    try:
        reply = client("ssm").get_parameter(Name=path, WithDecryption=True)
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") == "ParameterNotFound":
            raise SecretMissing(f"parameter {path} does not exist") from e
        raise Unavailable(f"parameter {path} could not be read") from e
    except BotoCoreError as e:
        raise Unavailable(f"parameter {path} could not be read") from e
    return str(reply["Parameter"]["Value"])


def reset_secrets() -> None:
    """Forget fetched secrets (tests)."""
    _fetched.clear()
