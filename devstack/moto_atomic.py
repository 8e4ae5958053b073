"""Make moto's DynamoDB writes atomic under concurrent requests, as DynamoDB's are.

DynamoDB evaluates a conditional write and applies it atomically, and a transaction
all-or-nothing. moto's threaded server checks and writes in separate steps and rolls a
failed transaction back by restoring a copy of the whole table, so two racing requests
can both pass a condition or undo each other. Serialising moto's write operations
restores DynamoDB's guarantees, so our race tests test our code, not moto's.
"""
from __future__ import annotations

import functools
import threading
from typing import Any

_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_lock = threading.RLock()


def serialise_dynamodb_writes() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITES:
        original = getattr(DynamoDBBackend, name, None)
        if original is None or getattr(original, "_paydrop_atomic", False):
            continue

        def locked(*args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with _lock:
                return __original(*args, **kwargs)

        functools.update_wrapper(locked, original)
        locked._paydrop_atomic = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, locked)
