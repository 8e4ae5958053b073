"""Background exports (an access log as CSV): one item per export, in the business's partition
of keys, so an export id of another business is simply not found.

`EXPORT#{bid}#{export_id}` / `META`: what is exported, its status (queued → running →
ready | failed), how many rows are written so far (the dashboard's progress), and where the
file is in S3. Deleted by TTL a week after it was asked for; the file's own lifecycle rule
(infra/resources.json, `exports/`) removes the CSV on the same schedule.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.store.table import BaseItem, iso, save_new, update_item

QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"
KEEP_DAYS = 7


class Export(BaseItem, discriminator="export"):
    export_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    scope = UnicodeAttribute()  # resource | client | invoice
    scope_id = UnicodeAttribute()
    status = UnicodeAttribute()
    rows = NumberAttribute(default=0)
    size = NumberAttribute(default=0)  # bytes of the finished file
    key = UnicodeAttribute(null=True)  # the CSV in the files bucket, once ready
    error = UnicodeAttribute(null=True)  # in words, when failed
    requested_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    finished_at = UnicodeAttribute(null=True)


def export_pk(business_id: str, export_id: str) -> str:
    return f"EXPORT#{business_id}#{export_id}"


def file_key(business_id: str, export_id: str) -> str:
    """Under `exports/`, outside `uploads/` (the bucket notifies the previews queue for uploads only)."""
    return f"exports/{business_id}/{export_id}.csv"


def new_export(business_id: str, export_id: str, scope: str, scope_id: str, requested_by: str, now: datetime) -> Export:
    item = Export(export_pk(business_id, export_id), "META", export_id=export_id, business_id=business_id,
                  scope=scope, scope_id=scope_id, status=QUEUED, requested_by=requested_by,
                  created_at=iso(now), updated_at=iso(now), expires_at=now + timedelta(days=KEEP_DAYS))
    save_new(item)
    return item


def get_export(business_id: str, export_id: str) -> Export | None:
    try:
        return Export.get(export_pk(business_id, export_id), "META", consistent_read=True)
    except Export.DoesNotExist:
        return None


def set_status(item: Export, now: datetime, status: str, **changes: object) -> None:
    """Move the export on (rows so far, the file, an error), unless it is already ready: a
    message delivered twice never turns a finished export back into a running one."""
    update_item(item, {"status": status, **changes}, iso(now), condition=Export.status != READY,
                message="This export is already finished.")
    item.status = status
    for name, value in changes.items():
        setattr(item, name, value)
