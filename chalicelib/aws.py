"""boto3 clients, created lazily once per container and pointed at moto locally.

Tracing (`chalicelib.tracing`) starts here, on first client creation inside Lambda only, so
that importing the app stays cheap and local runs need no daemon.
"""
from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from chalicelib import tracing
from chalicelib.config import settings


def ensure_tracing() -> None:
    """Trace every botocore call (boto3 and PynamoDB alike), in Lambda only: `chalicelib.tracing`."""
    tracing.start()


@lru_cache(maxsize=1)
def _session() -> Any:
    import boto3

    ensure_tracing()
    return boto3.session.Session(region_name=settings().region)


def botocore_session() -> Any:
    """The botocore session under boto3's: PynamoDB's client is built from it too, so the
    endpoint, partition and default-config files a cold start reads are read once, not twice."""
    return _session()._session


def _endpoint() -> str | None:
    return settings().aws_endpoint_url or None


@cache
def client(service: str) -> Any:
    """A boto3 client for `service`, shared for the life of the container."""
    from botocore.config import Config

    config = Config(
        signature_version="s3v4" if service == "s3" else None,
        retries={"max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": "path"} if service == "s3" and _endpoint() else None,
    )
    return _session().client(service, endpoint_url=_endpoint(), config=config)


def s3() -> Any:
    return client("s3")


def sqs() -> Any:
    return client("sqs")


def ses() -> Any:
    return client("ses")


def cognito() -> Any:
    return client("cognito-idp")


def reset_clients() -> None:
    """Drop cached clients (tests point the process at a new endpoint)."""
    client.cache_clear()
    _session.cache_clear()
    tracing.reset()
