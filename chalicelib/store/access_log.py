"""The access log: every view, download attempt (allowed or why not), release and revoke."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import UnicodeAttribute

from chalicelib.store.table import BaseItem, index_page, iso, query_page

DEFAULT_RETENTION_DAYS = 365


class AccessLog(BaseItem, discriminator="access_log"):
    log_id = UnicodeAttribute()
    at = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    grant_id = UnicodeAttribute(null=True)
    client_id = UnicodeAttribute(null=True)
    doc_id = UnicodeAttribute(null=True)
    actor = UnicodeAttribute()  # "link", "contact:{id}", "staff:{id}"
    action = UnicodeAttribute()  # view | download | claim | release | lock | revoke
    result = UnicodeAttribute()  # "ok" or the reason it was denied
    ip = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)


def log_pk(business_id: str, resource_id: str) -> str:
    return f"LOG#{business_id}#RES#{resource_id}"


def client_log_pk(business_id: str, client_id: str) -> str:
    return f"LOG#{business_id}#CLIENT#{client_id}"


def doc_log_pk(business_id: str, doc_id: str) -> str:
    return f"LOG#{business_id}#DOC#{doc_id}"


def new_entry(business_id: str, log_id: str, at: datetime, retention_days: int | None = None,
              **fields: Any) -> AccessLog:
    """One entry, readable per resource (table), per client (gsi1) and per invoice (gsi2),
    deleted by DynamoDB's TTL after the business's retention period."""
    sort = f"{iso(at)}#{log_id}"
    client_id, doc_id = fields.get("client_id"), fields.get("doc_id")
    return AccessLog(
        log_pk(business_id, fields["resource_id"]), sort,
        gsi1pk=client_log_pk(business_id, client_id) if client_id else None, gsi1sk=sort if client_id else None,
        gsi2pk=doc_log_pk(business_id, doc_id) if doc_id else None, gsi2sk=sort if doc_id else None,
        log_id=log_id, at=iso(at), expires_at=at + timedelta(days=retention_days or DEFAULT_RETENTION_DAYS),
        **fields,
    )


def entries_for_resource(
    business_id: str, resource_id: str, limit: int, cursor: str | None
) -> tuple[list[AccessLog], str | None]:
    return query_page(AccessLog, log_pk(business_id, resource_id), "", limit, cursor, newest_first=True)


def entries_for_client(business_id: str, client_id: str, limit: int, cursor: str | None) -> tuple[list[AccessLog], str | None]:
    return index_page(AccessLog, "gsi1", client_log_pk(business_id, client_id), limit, cursor, newest_first=True)


def entries_for_document(business_id: str, doc_id: str, limit: int, cursor: str | None) -> tuple[list[AccessLog], str | None]:
    return index_page(AccessLog, "gsi2", doc_log_pk(business_id, doc_id), limit, cursor, newest_first=True)


def every_entry(business_id: str, scope: str, scope_id: str) -> Iterator[AccessLog]:
    """Every entry of one resource, client or invoice, newest first, read page by page as the
    caller consumes them (DynamoDB's 1 MB pages): an export of a million entries never holds
    more than one page."""
    pages: Iterator[BaseItem]
    if scope == "resource":
        pages = AccessLog.query(log_pk(business_id, scope_id), scan_index_forward=False)
    elif scope == "client":
        pages = BaseItem.gsi1.query(client_log_pk(business_id, scope_id), scan_index_forward=False)
    else:
        pages = BaseItem.gsi2.query(doc_log_pk(business_id, scope_id), scan_index_forward=False)
    return (item for item in pages if isinstance(item, AccessLog))
