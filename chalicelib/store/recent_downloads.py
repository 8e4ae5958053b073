"""Which client already had a grant's download counted in the last 10 minutes.

`DLSEEN#{bid}#{grant id}#{client key}` / `SEEN`: written (conditionally) with the count, so a
download restarted by the same client inside the window is decided again but not counted
again. DynamoDB's TTL removes it after the window; the window is also checked on read.
"""
from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute

from chalicelib.store.table import BaseItem

WINDOW_SECONDS = 600


class RecentDownload(BaseItem, discriminator="recent_download"):
    counted_at = NumberAttribute()  # epoch seconds of the counted download
    restarts = NumberAttribute(default=0)  # downloads inside the window that were not counted


def recent_key(business_id: str, grant_id: str, client_key: str) -> tuple[str, str]:
    return f"DLSEEN#{business_id}#{grant_id}#{client_key}", "SEEN"


def new_recent(business_id: str, grant_id: str, client_key: str, now: int) -> RecentDownload:
    return RecentDownload(*recent_key(business_id, grant_id, client_key), counted_at=now, restarts=0,
                          expires_at=datetime.fromtimestamp(now + 2 * WINDOW_SECONDS, UTC))


def is_fresh(item: RecentDownload | None, now: int) -> bool:
    return item is not None and now - int(item.counted_at) < WINDOW_SECONDS
