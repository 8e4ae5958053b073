"""Secrets: from `PAYDROP_SECRET_<NAME>` locally, from SSM Parameter Store in the cloud (through
Powertools Parameters, cached for `settings().secret_ttl_seconds`).

Values are never logged, and never put in error messages: only parameter names are.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

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


def _cached_parameter(path: str, ttl_seconds: int) -> str:
    # Powertools Parameters keeps the value for `ttl_seconds` (SECRET_TTL_SECONDS, default 5
    # minutes): one SSM call per container per TTL rather than per request, yet a rotated secret
    # is picked up without a redeploy. A failed read raises and caches nothing, so the next call retries.
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
    from botocore.exceptions import ClientError

    try:
        return str(_provider().get(path, max_age=ttl_seconds, decrypt=True))
    except GetParameterError as e:
        cause = e.__context__  # Powertools wraps the boto error without chaining it
        if isinstance(cause, ClientError) and cause.response.get("Error", {}).get("Code") == "ParameterNotFound":
            raise SecretMissing(f"parameter {path} does not exist") from cause
        raise Unavailable(f"parameter {path} could not be read") from cause


@lru_cache(maxsize=1)
def _provider() -> Any:
    """Powertools' SSM provider on our SSM client (endpoint-aware, traced), once per container."""
    from aws_lambda_powertools.utilities.parameters import SSMProvider

    from chalicelib.aws import client

    return SSMProvider(boto3_client=client("ssm"))


def reset_secrets() -> None:
    """Forget fetched secrets (tests)."""
    _provider.cache_clear()
