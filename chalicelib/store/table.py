"""The single table: base item, connection settings, cursors, transactions, error translation."""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from pynamodb.attributes import DiscriminatorAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.aws import botocore_session, ensure_tracing
from chalicelib.config import settings
from chalicelib.domain.errors import Conflict, ValidationError

T = TypeVar("T")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Gsi1(GlobalSecondaryIndex["BaseItem"]):
    """One general-purpose index: lists of a business's documents, newest first."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex["BaseItem"]):
    """A second sparse index: grants per resource, access log per client and per invoice."""

    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Gsi3(GlobalSecondaryIndex["BaseItem"]):
    """The scheduler's agenda, sparse: open invoices by due date (`DUE#{date}`) and available
    grants by the day their access ends (`EXPIRES#{date}`). Only keys and the type are
    projected: the scheduler re-reads each item before acting, and edits that move neither
    date nor state (view counts, downloads) cost no index write."""

    class Meta:
        index_name = "gsi3"
        projection = IncludeProjection(["type"])

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class BaseItem(Model):
    """Every item of the table: opaque keys, a type discriminator, an optional TTL."""

    class Meta:
        table_name = "paydrop"  # replaced from settings on first connection
        region = "us-east-1"
        host: str | None = None
        max_retry_attempts = 3

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    item_type = DiscriminatorAttribute(attr_name="type")
    expires_at = TTLAttribute(null=True)
    gsi1 = Gsi1()
    gsi2 = Gsi2()
    gsi3 = Gsi3()

    @classmethod
    def _get_connection(cls) -> Any:
        # Every item type shares one connection (one botocore client): fewer clients
        # to build on a cold start, and one place to observe calls.
        if BaseItem._connection is None:
            configure_table()
            connection = Model._get_connection.__func__(BaseItem)  # type: ignore[attr-defined]
            # PynamoDB builds its client from a botocore session of its own (one per thread);
            # give this thread boto3's, whose loaders then read botocore's data files once.
            connection.connection._local.session = botocore_session()
            BaseItem._connection = connection
        return BaseItem._connection


def configure_table() -> None:
    """Point every model at the configured table and endpoint (called lazily, once)."""
    ensure_tracing()
    s = settings()
    BaseItem.Meta.table_name = s.table_name
    BaseItem.Meta.region = s.region
    BaseItem.Meta.host = s.aws_endpoint_url or None


def reset_connections() -> None:
    """Forget the cached connection (the dev stack and tests switch endpoints)."""
    BaseItem._connection = None


@contextmanager
def transaction() -> Iterator[TransactWrite]:
    """A TransactWrite whose conditional failure becomes `Conflict`."""
    connection = BaseItem._get_connection().connection
    try:
        with TransactWrite(connection=connection) as tx:
            yield tx
    except TransactWriteError as e:
        if e.cause_response_code == "TransactionCanceledException":
            raise Conflict("Someone else changed this at the same time; reload and retry.") from e
        raise


def conditional(action: Callable[[], T], message: str) -> T:
    """Run a conditional write; a failed condition becomes `Conflict(message)`."""
    try:
        return action()
    except (PutError, UpdateError, DeleteError) as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict(message) from e
        raise


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    """An opaque page cursor from DynamoDB's LastEvaluatedKey."""
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(
    cursor: str | None, expected_pk: str, sk_prefix: str = "", index: str | None = None
) -> dict[str, Any] | None:
    """The LastEvaluatedKey behind `cursor`, refused unless it could have come from this query.

    The key must have exactly the attributes this query's pages end on, all strings, in the
    caller's partition (a cursor minted for one business cannot page through another's),
    with the sort key inside the query's range; anything else is a 400, never a 500.
    """
    if not cursor:
        return None
    invalid = ValidationError("The cursor is not valid.", field="cursor")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as e:
        raise invalid from e
    names = {"pk", "sk", f"{index}pk", f"{index}sk"} if index else {"pk", "sk"}
    if not isinstance(key, dict) or set(key) != names:
        raise invalid
    values = {name: key[name].get("S") if isinstance(key[name], dict) and len(key[name]) == 1 else None for name in names}
    if not all(isinstance(v, str) and v for v in values.values()):
        raise invalid
    owner, sort = (values[f"{index}pk"], values[f"{index}sk"]) if index else (values["pk"], values["sk"])
    if owner != expected_pk or not str(sort).startswith(sk_prefix):
        raise invalid
    return key


M = TypeVar("M", bound=BaseItem)


def query_page(
    model: type[M], pk: str, sk_prefix: str, limit: int, cursor: str | None, newest_first: bool = False
) -> tuple[list[M], str | None]:
    """One page of `model` items in partition `pk` whose sort key starts with `sk_prefix`."""
    results = model.query(
        pk, model.sk.startswith(sk_prefix) if sk_prefix else None,
        scan_index_forward=not newest_first,
        limit=limit, page_size=limit, last_evaluated_key=decode_cursor(cursor, pk, sk_prefix),
    )
    items = list(results)
    return items, encode_cursor(results.last_evaluated_key)


def index_page(
    model: type[M], index: str, pk: str, limit: int, cursor: str | None,
    newest_first: bool = False, filter_condition: Any = None, sk_prefix: str = "",
) -> tuple[list[M], str | None]:
    """One page of `model` items under `pk` in index `gsi1` or `gsi2` (whose index sort key
    starts with `sk_prefix`, when given)."""
    sort_key = getattr(model, f"{index}sk")
    results = getattr(model, index).query(
        pk, sort_key.startswith(sk_prefix) if sk_prefix else None, filter_condition=filter_condition,
        scan_index_forward=not newest_first, limit=limit, page_size=limit,
        last_evaluated_key=decode_cursor(cursor, pk, sk_prefix, index=index),
    )
    return [i for i in results if isinstance(i, model)], encode_cursor(results.last_evaluated_key)


def save_new(item: BaseItem) -> None:
    conditional(lambda: item.save(condition=BaseItem.pk.does_not_exist()), "This already exists.")


def update_item(item: BaseItem, changes: dict[str, object], updated_at: str, condition: Any = None,
                message: str = "This no longer exists.", *, version_check: bool = True) -> None:
    """Set or remove just these attributes of an existing item (never a whole-item save, which
    would put back what other writers changed since the read), failing if it vanished or if
    `condition` no longer holds. On a model with a `VersionAttribute` the write also fails if
    anyone wrote the item since it was read, unless `version_check` is False (the version is
    bumped either way)."""
    cls = type(item)
    actions = [
        getattr(cls, name).set(value) if value is not None else getattr(cls, name).remove()
        for name, value in changes.items()
    ]
    actions.append(cls.updated_at.set(updated_at))  # type: ignore[attr-defined]
    conditional(lambda: item.update(actions=actions, condition=condition if condition is not None else cls.pk.exists(),
                                    add_version_condition=version_check), message)


def delete_item(item: BaseItem) -> None:
    conditional(lambda: item.delete(condition=BaseItem.pk.exists()), "This no longer exists.")
