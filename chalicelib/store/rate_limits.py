"""Fixed-window rate limits: one counter item per key and window, deleted by TTL."""
from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib.domain.errors import Conflict, TooManyRequests
from chalicelib.domain.tokens import token_hash
from chalicelib.store.table import BaseItem, conditional


class Hits(BaseItem, discriminator="rate_limit"):
    hits = NumberAttribute(default=0)


def window_of(now: datetime, window_seconds: int) -> int:
    epoch = int(now.timestamp())
    return epoch - epoch % window_seconds


def counted_hit(key: str, limit: int, window_seconds: int, now: datetime) -> tuple[Hits, list[Action], Condition]:
    """The counter item, update and condition of one hit, for a caller's own transaction (the
    views worker counts an open and its rate counters together, or not at all)."""
    window = window_of(now, window_seconds)
    actions: list[Action] = [Hits.hits.add(1), Hits.item_type.set(Hits),
                             Hits.expires_at.set(datetime.fromtimestamp(window + 2 * window_seconds, now.tzinfo))]
    return Hits(f"RATE#{key}", str(window)), actions, Hits.hits.does_not_exist() | (Hits.hits < limit)


def hit(key: str, limit: int, window_seconds: int, now: datetime, message: str) -> None:
    """Count one request for `key`; raise TooManyRequests (with Retry-After) past `limit` per window.

    One conditional UpdateItem: concurrent requests cannot both take the last slot.
    """
    counter, actions, condition = counted_hit(key, limit, window_seconds, now)
    try:
        conditional(lambda: counter.update(actions=actions, condition=condition), message)
    except Conflict as e:
        retry_after = window_of(now, window_seconds) + window_seconds - int(now.timestamp())
        raise TooManyRequests(message, retry_after=retry_after) from e



def hit_link(name: str, token: str, ip: str | None, per_ip: int, per_link: int, window_seconds: int,
             now: datetime, message: str) -> None:
    """Count a click on a public link (`name`: pay, buy): per visitor address when it is known,
    then per link, keyed by the token's hash (never the token itself)."""
    if ip:
        hit(f"{name}-ip#{ip}", per_ip, window_seconds, now, message)
    hit(f"{name}-link#{token_hash(token)}", per_link, window_seconds, now, message)
