"""Fixed-window rate limits: one counter item per key and window, deleted by TTL."""
from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute

from chalicelib.domain.errors import Conflict, TooManyRequests
from chalicelib.store.table import BaseItem, conditional


class Hits(BaseItem, discriminator="rate_limit"):
    hits = NumberAttribute(default=0)


def hit(key: str, limit: int, window_seconds: int, now: datetime, message: str) -> None:
    """Count one request for `key`; raise TooManyRequests (with Retry-After) past `limit` per window.

    One conditional UpdateItem: concurrent requests cannot both take the last slot.
    """
    epoch = int(now.timestamp())
    window = epoch - epoch % window_seconds
    counter = Hits(f"RATE#{key}", str(window))
    try:
        conditional(lambda: counter.update(
            actions=[Hits.hits.add(1), Hits.item_type.set(Hits),
                     Hits.expires_at.set(datetime.fromtimestamp(window + 2 * window_seconds, now.tzinfo))],
            condition=Hits.hits.does_not_exist() | (Hits.hits < limit),
        ), message)
    except Conflict as e:
        raise TooManyRequests(message, retry_after=window + window_seconds - epoch) from e

