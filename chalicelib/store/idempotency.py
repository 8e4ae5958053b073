"""Idempotency records (Powertools Idempotency) in the app's one table.

Powertools writes an INPROGRESS record with a conditional PutItem *before* the function runs (so of
two deliveries at once exactly one runs it; the other gets `IdempotencyAlreadyInProgressError`),
turns it COMPLETED with the result afterwards, and deletes it if the function raises (so a retry
runs again). Keys here:

- `pk` = `IDEMPOTENCY#{use}` (e.g. `IDEMPOTENCY#stripe-events`): one partition per use. Stripe
  sends a few events per payment, far below a partition's 1,000 writes a second;
- `sk` = Powertools' key, `{key prefix}#{md5 of the idempotency key}` (e.g. `stripe-event#` and
  the md5 of the Stripe event id), stable across function renames;
- `expires_at`, the table's TTL attribute (epoch seconds), so DynamoDB deletes old records;
- `in_progress_expiration` (epoch ms): when the Lambda that wrote INPROGRESS would have timed out;
  after it, a redelivery may take over from a worker that died mid-way;
- `status`, `data` (the stored result). No `type`: these items are never read through PynamoDB.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.aws import client
from chalicelib.config import settings

TTL_ATTRIBUTE = "expires_at"  # infra/resources.json AppTable TimeToLiveSpecification


def partition(use: str) -> str:
    return f"IDEMPOTENCY#{use}"


@cache
def persistence_layer(use: str) -> Any:
    """The Powertools DynamoDB persistence layer for `use`, created once per container."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(
        table_name=settings().table_name, key_attr="pk", sort_key_attr="sk", static_pk_value=partition(use),
        expiry_attr=TTL_ATTRIBUTE, boto3_client=client("dynamodb"),
    )


def reset() -> None:
    """Forget the layers (tests point the process at a new table or endpoint)."""
    persistence_layer.cache_clear()
