"""View tracking. A page open only queues an event (one SQS message, no DynamoDB call: the
page stays within its 3 reads); the views worker records it:

- every open goes to the view log (time, source, the client's IP, user agent ≤ 256);
- a viewer is its IP, per link: the user agent is logged but never tells viewers apart (any
  caller can rotate it, so counting IP + agent let 30 agents make 31 opens);
- it counts once per viewer per 30-minute window, so refreshing cannot inflate the count,
  and at most `MAX_OPENS_PER_IP` counted opens per IP and `MAX_OPENS_PER_LINK` per link
  (document, or client portal) per hour — counters with a TTL, taken in the same
  transaction as the count, so an open over a limit is logged but not counted (the page
  itself never waits for any of this);
- the document keeps its view count, first viewed at (set once), last viewed at and
  unique viewers;
- staff previews never count (they render through the staff API, which tracks nothing).
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from typing import Any

from chalicelib import clock, queues
from chalicelib.config import settings
from chalicelib.domain.errors import Conflict
from chalicelib.domain.tokens import new_id
from chalicelib.store import views as store
from chalicelib.store.access_log import DEFAULT_RETENTION_DAYS
from chalicelib.store.businesses import get_business
from chalicelib.store.rate_limits import counted_hit
from chalicelib.store.table import conditional, iso, transaction

log = logging.getLogger("paydrop.views")
SOURCES = ("link", "email", "portal", "api")
WINDOW_SECONDS = 30 * 60
MAX_USER_AGENT = 256
LIMIT_WINDOW_SECONDS = 3600
MAX_OPENS_PER_IP = 30  # counted opens per IP per hour, across the business's links
MAX_OPENS_PER_LINK = 20  # counted opens per link per hour, from all IPs together


def source_of(query: dict[str, str] | None, wants_json: bool, default: str = "link") -> str:
    """Where an open came from: `?src=email` on links in emails, JSON callers are the API."""
    if wants_json:
        return "api"
    src = (query or {}).get("src")
    return src if src in ("email", "portal") else default


def track(business_id: str, doc_id: str | None, client_id: str | None, source: str, ip: str | None,
          user_agent: str | None) -> None:
    """Queue one open for the views worker. Never fails the page: a lost view is logged, not shown."""
    event = {"id": new_id(), "at": iso(clock.now()), "business_id": business_id, "doc_id": doc_id, "client_id": client_id,
             "source": source if source in SOURCES else "link", "ip": ip,
             "user_agent": (user_agent or "")[:MAX_USER_AGENT] or None}
    try:
        queues.send(settings().views_queue_url, json.dumps(event))
    except Exception:  # the page matters more than its counter
        log.warning("view of %s could not be queued", doc_id or f"client {client_id}", exc_info=True)


def viewer_of(ip: str | None) -> str:
    """A viewer is its IP (hashed: the marker keys never hold the address itself)."""
    return hashlib.sha256((ip or "-").encode()).hexdigest()[:32]


def record(event: dict[str, Any]) -> str:
    """Apply one queued open (the views worker)."""
    bid, doc_id, client_id = str(event["business_id"]), event.get("doc_id"), event.get("client_id")
    at = datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00"))
    viewer = viewer_of(event.get("ip"))
    business = get_business(bid)
    retention = int(business.log_retention_days) if business else DEFAULT_RETENTION_DAYS
    entry = store.new_log_entry(bid, str(event["id"]), at, retention, doc_id=doc_id, client_id=client_id,
                                source=str(event.get("source") or "link"), ip=event.get("ip"),
                                user_agent=event.get("user_agent"), counted=True)
    try:
        _count_open(bid, doc_id, doc_id or f"CLIENT#{client_id}", viewer, at, entry)
    except Conflict as e:
        return _log_uncounted(entry, e)
    if doc_id:
        _count_unique_viewer(bid, doc_id, viewer)
    return "counted"


def _count_open(bid: str, doc_id: str | None, scope: str, viewer: str, at: datetime,
                entry: store.ViewLogEntry) -> None:
    """The open's window marker, log entry, rate counters and document stats, in one transaction."""
    epoch = int(at.timestamp())
    window = epoch - epoch % WINDOW_SECONDS
    marker = store.window_marker(bid, scope, viewer, window,
                                 datetime.fromtimestamp(window + 2 * WINDOW_SECONDS, at.tzinfo))
    limits = [counted_hit(f"views#{bid}#ip#{viewer}", MAX_OPENS_PER_IP, LIMIT_WINDOW_SECONDS, at),
              counted_hit(f"views#{bid}#link#{scope}", MAX_OPENS_PER_LINK, LIMIT_WINDOW_SECONDS, at)]
    with transaction() as tx:  # counted together with its rate counters, or not at all
        tx.save(marker, condition=store.ViewMarker.pk.does_not_exist())
        tx.save(entry, condition=store.ViewLogEntry.pk.does_not_exist())
        for counter, actions, condition in limits:
            tx.update(counter, actions=actions, condition=condition)
        if doc_id:
            pk, sk = store.stats_key(bid, doc_id)
            tx.update(store.ViewStats(pk, sk), actions=[
                store.ViewStats.view_count.add(1), store.ViewStats.item_type.set(store.ViewStats),
                store.ViewStats.first_viewed_at.set(store.ViewStats.first_viewed_at | iso(at)),
                store.ViewStats.last_viewed_at.set(iso(at)),
            ])


def _log_uncounted(entry: store.ViewLogEntry, refused: Conflict) -> str:
    """A repeat within the window, an open over a rate limit, or a redelivery: logged, not counted."""
    entry.counted = False
    try:
        conditional(lambda: entry.save(condition=store.ViewLogEntry.pk.does_not_exist()), "Already logged.")
    except Conflict:
        return "duplicate"
    return "over limit" if _only_limits_refused(refused) else "repeat"


def _count_unique_viewer(bid: str, doc_id: str, viewer: str) -> None:
    try:
        conditional(lambda: store.viewer_marker(bid, doc_id, viewer).save(
            condition=store.ViewMarker.pk.does_not_exist()), "Seen before.")
        pk, sk = store.stats_key(bid, doc_id)
        store.ViewStats(pk, sk).update(actions=[store.ViewStats.unique_viewers.add(1)])
    except Conflict:
        pass


def _only_limits_refused(error: Conflict) -> bool:
    """Was the open refused by a rate counter (items 2 and 3 of the transaction) and not as a repeat?"""
    reasons = getattr(error.__cause__, "cancellation_reasons", None) or []
    failed = [i for i, r in enumerate(reasons) if r is not None and r.code == "ConditionalCheckFailed"]
    return bool(failed) and min(failed) >= 2


def stats_for(business_id: str, doc_ids: list[str]) -> dict[str, store.ViewStats]:
    """The counters of a page of documents, in one BatchGet (for badges in staff lists)."""
    if not doc_ids:
        return {}
    found = store.ViewStats.batch_get([store.stats_key(business_id, d) for d in doc_ids])
    return {s.pk.rsplit("#", 1)[1]: s for s in found if isinstance(s, store.ViewStats)}


def view_log(business_id: str, doc_id: str, limit: int, cursor: str | None) -> tuple[list[store.ViewLogEntry], str | None]:
    return store.log_page(business_id, doc_id, limit, cursor)
