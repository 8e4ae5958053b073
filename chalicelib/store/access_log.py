"""The access log: every view, download attempt (allowed or why not), release and revoke."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import UnicodeAttribute

from chalicelib.store.table import BaseItem, iso, query_page

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


def new_entry(business_id: str, log_id: str, at: datetime, **fields: Any) -> AccessLog:
    return AccessLog(
        log_pk(business_id, fields["resource_id"]), f"{iso(at)}#{log_id}",
        log_id=log_id, at=iso(at), expires_at=at + timedelta(days=DEFAULT_RETENTION_DAYS), **fields,
    )


def entries_for_resource(
    business_id: str, resource_id: str, limit: int, cursor: str | None
) -> tuple[list[AccessLog], str | None]:
    return query_page(AccessLog, log_pk(business_id, resource_id), "", limit, cursor, newest_first=True)
