"""Access-log exports as CSV files, made in the background.

A log can hold a million entries (~200 MB of CSV), more than a Lambda response can carry
(6 MB) or a request may take (API Gateway's 29 s). So staff ask for an export (`start`: the
scope is checked now, the job is queued on the exports queue, 202), the exports worker
writes the CSV straight into S3 as a multipart upload while it reads the log page by page
(`run`: memory stays at one 8 MiB part and one 1 MB page), and `status` hands over a
presigned GET once the file is ready (the short download TTL: a link copied elsewhere
soon stops working; asking again gives a fresh one).
"""
from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from chalicelib import clock, queues
from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain.errors import NotFound, ValidationError
from chalicelib.domain.tokens import new_id
from chalicelib.services.delivery.access_log import CSV_COLUMNS, LOG_SCOPES, access_log_of, csv_cells
from chalicelib.services.delivery.log_names import with_names
from chalicelib.services.delivery.s3_stream import MultipartText
from chalicelib.services.identity.staff_auth import Principal
from chalicelib.store import access_log, exports
from chalicelib.store.access_log import AccessLog
from chalicelib.store.exports import Export
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import iso

log = logging.getLogger("paydrop.exports")
EXPORTS_PER_MINUTE = 10  # per business: each one reads a whole log
PROGRESS_EVERY = 20_000  # rows: how often the worker records its progress for the dashboard


def start(principal: Principal, scope: str, scope_id: str) -> Export:
    """Queue an export of one resource's, client's or invoice's log (NotFound for anyone else's)."""
    if scope not in LOG_SCOPES:
        raise ValidationError(f"Exports are of a {', '.join(LOG_SCOPES)} log.", field="scope")
    access_log_of(principal, scope, scope_id, 1, None)  # the same checks as reading it: 404 if not ours
    now = clock.now()
    hit(f"export#{principal.business_id}", EXPORTS_PER_MINUTE, 60, now,
        "Too many exports at once. Wait a minute and try again.")
    export = exports.new_export(principal.business_id, new_id(), scope, scope_id, principal.user_id, now)
    try:
        queues.send(settings().exports_queue_url,
                    json.dumps({"business_id": principal.business_id, "export_id": export.export_id}),
                    "The export could not be started right now; try again shortly.")
    except Exception:
        # Never a job that says "queued" with nothing on the queue.
        exports.set_status(export, clock.now(), exports.FAILED, error="The export could not be started. Try again.")
        raise
    return export


def find(principal: Principal, export_id: str) -> Export:
    export = exports.get_export(principal.business_id, export_id)
    if export is None:
        raise NotFound("Export not found.", field="export_id")
    return export


def present(export: Export) -> dict[str, Any]:
    """The export as the dashboard shows it; a fresh short-lived link when it is ready."""
    view: dict[str, Any] = {
        "export_id": export.export_id, "status": export.status, "scope": export.scope, "scope_id": export.scope_id,
        "rows": int(export.rows or 0), "created_at": export.created_at, "finished_at": export.finished_at,
        "error": export.error, "url": None, "url_expires_in": None,
    }
    if export.status == exports.READY and export.key:
        ttl = settings().download_ttl_seconds
        view["size"] = int(export.size or 0)
        view["url"] = s3().generate_presigned_url("get_object", ExpiresIn=ttl, Params={
            "Bucket": settings().files_bucket, "Key": export.key, "ResponseContentType": "text/csv; charset=utf-8",
            "ResponseContentDisposition": f'attachment; filename="{filename(export)}"'})
        view["url_expires_in"] = ttl
    return view


def filename(export: Export) -> str:
    return f"access-log-{export.scope}-{export.scope_id}.csv"


def run(message: dict[str, Any]) -> str:
    """The worker's job: write the export's CSV to S3 and mark it ready. Returns what happened.

    A message delivered again after the export finished does nothing; one delivered again
    after a failure or a timeout starts the file over (a new multipart upload under the same key).
    """
    export = exports.get_export(str(message.get("business_id", "")), str(message.get("export_id", "")))
    if export is None:
        return "unknown export"
    if export.status == exports.READY:
        return "already ready"
    exports.set_status(export, clock.now(), exports.RUNNING, rows=0, error=None)
    key = exports.file_key(export.business_id, export.export_id)
    try:
        rows, size = write_csv(export, key)
    except Exception:
        exports.set_status(export, clock.now(), exports.FAILED, error="The export failed. Start it again.")
        raise
    exports.set_status(export, clock.now(), exports.READY, rows=rows, size=size, key=key,
                       finished_at=iso(clock.now()))
    return f"{rows} rows"


def write_csv(export: Export, key: str) -> tuple[int, int]:
    """Stream the export's log into `key`; returns (rows, bytes). Progress is recorded every PROGRESS_EVERY rows."""
    def progress(rows: int) -> None:
        exports.set_status(export, clock.now(), exports.RUNNING, rows=rows)

    entries = access_log.every_entry(export.business_id, export.scope, export.scope_id)
    return stream_csv(entries, settings().files_bucket, key, progress, business_id=export.business_id)


def stream_csv(entries: Iterable[AccessLog], bucket: str, key: str,
               progress: Callable[[int], None] | None = None, business_id: str | None = None) -> tuple[int, int]:
    """`entries` as CSV into s3://bucket/key, one part at a time; returns (rows, bytes). With
    `business_id`, the names of files, invoices, clients and contacts fill their columns (one
    BatchGet per 100 entries, for the names not read yet)."""
    rows = 0
    named = with_names(business_id, entries) if business_id else ((e, {}) for e in entries)
    with MultipartText(bucket, key, "text/csv; charset=utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for entry, names in named:
            writer.writerow(csv_cells(entry, names))
            rows += 1
            if progress is not None and rows % PROGRESS_EVERY == 0:
                progress(rows)
    return rows, out.size
