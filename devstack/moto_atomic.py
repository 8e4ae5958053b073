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


class _ItemBackups(threading.local):
    active = False


_backing_up = _ItemBackups()


class _CopyShim:
    """Stands in for the `copy` module inside moto's DynamoDB models: while this thread runs a
    transaction, "copy the whole table" returns the table itself (its touched items are backed
    up instead, see `cheap_transactions`); everywhere else it is the real `copy`."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def deepcopy(self, value: Any, *args: Any) -> Any:
        from moto.dynamodb.models.table import Table

        if _backing_up.active and isinstance(value, Table):
            return value
        return self._real.deepcopy(value, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def cheap_transactions() -> None:
    """moto backs a transaction up by deep-copying the whole table once per item in it, so each
    TransactWriteItems costs O(items × table size) and the suite slows as the table fills. Back up
    only the items the transaction touches, and put exactly those back when it is cancelled.
    Writes are serialised (`serialise_dynamodb_writes`), so nothing else changes them meanwhile."""
    import copy

    import moto.dynamodb.models as models
    from moto.dynamodb.exceptions import MockValidationException, MultipleTransactionsException, TransactionCanceledException

    if getattr(models.DynamoDBBackend.transact_write_items, "_paydrop_cheap", False):
        return
    models.copy = _CopyShim(copy)  # type: ignore[assignment]
    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        backups = []
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue
            attrs = op.get("Item") or op.get("Key") or {}
            key = {name: attrs[name] for name in (table.hash_key_attr, table.range_key_attr) if name and name in attrs}
            current = self.get_item(table.name, key) if len(key) == (2 if table.range_key_attr else 1) else None
            backups.append((table.name, key, copy.deepcopy(current.to_json()["Attributes"]) if current else None))
        _backing_up.active = True
        try:
            original(self, transact_items)
        except (TransactionCanceledException, MultipleTransactionsException, MockValidationException):
            for table_name, key, before in reversed(backups):
                if before is not None:
                    self.put_item(table_name, before)
                elif key and self.get_item(table_name, key) is not None:
                    self.delete_item(table_name, key)
            raise
        finally:
            _backing_up.active = False

    functools.update_wrapper(transact_write_items, original)
    transact_write_items._paydrop_cheap = True  # type: ignore[attr-defined]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


class _Partition(threading.local):
    hash_key: Any = None
    index_key: tuple[str, Any] | None = None  # (the index's hash attribute, the value asked for)


_partition = _Partition()


def partition_queries() -> None:
    """moto answers every Query by sorting and scanning the whole table, so each costs more as
    the table fills. A Query on the table's own key reads only that partition here, as DynamoDB
    does; an index query still scans (moto keeps no index of its own), but once, in one pass
    that keeps only the items whose index key matches, instead of sorting the whole table."""
    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "_paydrop_partition", False):
        return
    all_items, query = Table.all_items, Table.query

    def partition_items(self: Any) -> Any:
        if _partition.index_key is not None:
            # An index query sorts and filters what it is given: hand it only the items whose
            # index key matches (one pass, no sort of the whole table).
            name, value = _partition.index_key
            every = (i for found in self.items.values() for i in (found.values() if self.range_key_attr else [found]))
            return [i for i in every if (found := i.attrs.get(name)) is not None and found == value]
        if _partition.hash_key is None:
            return all_items(self)
        found = self.items.get(_partition.hash_key)
        if found is None:
            return []
        return list(found.values()) if self.range_key_attr else [found]

    def partition_query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name is not None:
            index = next((i for i in self.all_indexes() if i.name == index_name), None)
            hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"] if index else []
            if len(hashes) == 1 and hash_key is not None:
                _partition.index_key = (hashes[0], hash_key)
        elif hash_key is not None:
            _partition.hash_key = hash_key
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            _partition.hash_key, _partition.index_key = None, None

    functools.update_wrapper(partition_query, query)
    partition_query._paydrop_partition = True  # type: ignore[attr-defined]
    Table.all_items = partition_items  # type: ignore[method-assign]
    Table.query = partition_query  # type: ignore[method-assign]


class _Held(threading.local):
    depth = 0  # how many times this thread holds `_lock` through `_locked` wrappers


_held = _Held()


def _locked(original: Any) -> Any:
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            _held.depth += 1
            try:
                return original(*args, **kwargs)
            finally:
                _held.depth -= 1

    functools.update_wrapper(locked, original)
    locked._paydrop_atomic = True  # type: ignore[attr-defined]
    return locked


def _serialise_class(cls: Any) -> None:
    """Every public method of `cls` runs under `_lock` (re-entrant: backends call each other)."""
    import inspect

    for name, value in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(value) or getattr(value, "_paydrop_atomic", False):
            continue
        setattr(cls, name, _locked(value))


def serialise_backends() -> None:
    """Make moto's DynamoDB, SQS and S3 safe under concurrent requests, reads included.

    moto's threaded server lets requests touch the same dicts and lists at once: a Scan or an
    index Query iterates a table's item dict while a PutItem adds to it ("dictionary changed
    size during iteration"), and SQS's DeleteMessage rebuilds a queue's message list while
    SendMessage appends to the old one (a message is lost). Every public backend method runs
    under one lock here, as if each AWS call were atomic. ReceiveMessage's long poll gives the
    lock up while it waits, so a waiting poller never stalls the other requests."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.s3.models import S3Backend
    from moto.sqs.models import Queue, SQSBackend

    serialise_dynamodb_writes()
    for cls in (DynamoDBBackend, SQSBackend, S3Backend):
        _serialise_class(cls)
    wait = Queue.wait_for_messages
    if getattr(wait, "_paydrop_releases", False):
        return

    def wait_unlocked(self: Any, timeout: int) -> None:
        depth = _held.depth
        for _ in range(depth):
            _lock.release()
        try:
            wait(self, timeout)
        finally:
            for _ in range(depth):
                _lock.acquire()

    functools.update_wrapper(wait_unlocked, wait)
    wait_unlocked._paydrop_releases = True  # type: ignore[attr-defined]
    Queue.wait_for_messages = wait_unlocked  # type: ignore[method-assign]


def expire_items(now: float) -> int:
    """Delete every item whose TTL attribute is before `now` (epoch seconds) from every moto
    table with TTL enabled, as DynamoDB's TTL does (moto never does): rate-limit windows, view
    markers and recent-download records otherwise pile up for as long as `make dev` runs.
    Returns how many items went."""
    from moto.dynamodb.models import dynamodb_backends

    removed = 0
    with _lock:
        tables = [t for account in dynamodb_backends.values() for b in account.values() for t in b.tables.values()]
        for table in tables:
            ttl = getattr(table, "ttl", {})
            if ttl.get("TimeToLiveStatus") != "ENABLED" or not ttl.get("AttributeName"):
                continue
            removed += _expire_table(table, ttl["AttributeName"], now)
    return removed


def _expire_table(table: Any, attribute: str, now: float) -> int:
    expired = []
    for hash_key, found in table.items.items():
        for item in (found.values() if table.range_key_attr else [found]):
            value = item.attrs.get(attribute)
            if value is not None and value.type == "N" and float(value.value) < now:
                expired.append((hash_key, item.range_key if table.range_key_attr else None))
    for hash_key, range_key in expired:
        table.delete_item(hash_key, range_key)
        if table.range_key_attr and not table.items.get(hash_key):
            table.items.pop(hash_key, None)
    return len(expired)
