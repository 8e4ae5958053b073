"""Secrets: from `PAYDROP_SECRET_<NAME>` locally, from SSM Parameter Store in the cloud.

Values are never logged, and never put in error messages: only parameter names are.
"""
from __future__ import annotations

from functools import cache

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
    return _parameter(f"/paydrop/{s.stage}/{name}")


@cache
def _parameter(path: str) -> str:
    # Cached for the life of the container: one SSM call per cold start, not per request.
    # Failures raise, and functools does not cache exceptions, so the next call retries.
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
    _parameter.cache_clear()
