"""View tracking: who opened a share or portal link, and each document's view counters.

- `DOC#{bid}#{did}` / `VIEWS`: the document's counters (in its item collection, so the staff
  views read them with the document);
- `VIEWWIN#{bid}#{did or client}#{viewer}` / `{window}`: "this viewer was counted in this
  window" (TTL), so refreshing cannot inflate the count;
- `VIEWER#{bid}#{did}` / `{viewer}`: one per distinct viewer (unique viewers);
- `VIEWLOG#{bid}#{did}` or `VIEWLOG#{bid}#CLIENT#{cid}` / `{iso}#{id}`: every open (TTL: the
  business's log retention).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.documents import doc_pk
from chalicelib.store.table import BaseItem, iso, query_page


class ViewStats(BaseItem, discriminator="view_stats"):
    view_count = NumberAttribute(default=0)
    unique_viewers = NumberAttribute(default=0)
    first_viewed_at = UnicodeAttribute(null=True)  # set once, never overwritten
    last_viewed_at = UnicodeAttribute(null=True)


class ViewMarker(BaseItem, discriminator="view_marker"):
    pass


class ViewLogEntry(BaseItem, discriminator="view_log"):
    view_id = UnicodeAttribute()
    at = UnicodeAttribute()
    doc_id = UnicodeAttribute(null=True)
    client_id = UnicodeAttribute(null=True)
    source = UnicodeAttribute()  # link | email | portal | api
    ip = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    counted = BooleanAttribute(default=False)


def stats_key(business_id: str, doc_id: str) -> tuple[str, str]:
    return doc_pk(business_id, doc_id), "VIEWS"


def window_marker(business_id: str, scope: str, viewer: str, window: int, expires: datetime) -> ViewMarker:
    return ViewMarker(f"VIEWWIN#{business_id}#{scope}#{viewer}", str(window), expires_at=expires)


def viewer_marker(business_id: str, doc_id: str, viewer: str) -> ViewMarker:
    return ViewMarker(f"VIEWER#{business_id}#{doc_id}", viewer)


def log_pk(business_id: str, doc_id: str | None, client_id: str | None) -> str:
    return f"VIEWLOG#{business_id}#{doc_id}" if doc_id else f"VIEWLOG#{business_id}#CLIENT#{client_id}"


def new_log_entry(business_id: str, view_id: str, at: datetime, retention_days: int, **fields: Any) -> ViewLogEntry:
    return ViewLogEntry(log_pk(business_id, fields.get("doc_id"), fields.get("client_id")), f"{iso(at)}#{view_id}",
                        view_id=view_id, at=iso(at), expires_at=at + timedelta(days=retention_days), **fields)


def log_page(business_id: str, doc_id: str, limit: int, cursor: str | None) -> tuple[list[ViewLogEntry], str | None]:
    return query_page(ViewLogEntry, log_pk(business_id, doc_id, None), "", limit, cursor, newest_first=True)


def stats_of(items: list[BaseItem]) -> ViewStats | None:
    return next((i for i in items if isinstance(i, ViewStats)), None)
