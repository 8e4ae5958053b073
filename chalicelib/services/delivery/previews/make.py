"""Previews of uploaded files: what the previews worker does with one S3 object.

`make_previews(bucket, key, version_id)` reads the object (at most the byte cap, spooled
to /tmp rather than held in memory), decodes it once (`preview_render`), writes the 160 and
640 px WebP previews under `previews/` (a prefix S3 does not notify on, so they never come
back to the worker) and records the outcome on the resource.

Idempotent: the resource records which object version (`preview_source`: S3's VersionId,
or the ETag) its previews were made from, so the same version processed again reads and
writes nothing more. Previews already in S3 for that version (a run that stopped between
the S3 writes and the DynamoDB write) are reused from their metadata, not rewritten.

Problems with the file itself (too large, empty, corrupt, not what its type says) are an
outcome, `failed` with a reason, never an exception: SQS would only retry it. AWS errors
propagate, and SQS retries those (then the DLQ).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from chalicelib import metrics
from chalicelib.aws import s3
from chalicelib.domain import previews
from chalicelib.domain.previews import Unpreviewable, UploadKey
from chalicelib.services.delivery.unlock import refresh_grants
from chalicelib.store import resources as store

SKIPPED, UNCHANGED = "skipped", "unchanged"
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    """What happened to one object: `ready | none | failed` (recorded), `unchanged` (recorded
    before) or `skipped` (not a file version the worker should preview)."""

    status: str
    reason: str = ""
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.status}: {self.reason}" if self.reason else self.status
        return f"{text} ({self.detail})" if self.detail else text


def make_previews(bucket: str, key: str, version_id: str | None = None) -> Outcome:
    """Previews for the object `key` (version `version_id`, or the latest) of a file resource."""
    upload = previews.parse_upload_key(key)
    if upload is None:
        return Outcome(SKIPPED, "not a file version key")
    resource = store.get_resource(upload.business_id, upload.resource_id)
    skipped = _why_skip(resource, key, upload)
    if skipped or resource is None:
        return Outcome(SKIPPED, skipped or "no such file resource")
    head = _head(bucket, key, version_id)
    if head is None:
        return Outcome(SKIPPED, "the object is gone")
    source = _source_id(head)
    if (resource.preview_version == upload.version and resource.preview_source == source
            and resource.preview_status in previews.FINAL):
        return Outcome(UNCHANGED, resource.preview_status or "")
    content_type = resource.content_type if key == resource.s3_key else resource.pending_content_type
    fields, outcome = _preview_outcome(bucket, key, head, source, upload, content_type)
    if not store.record_preview(resource, key, fields):
        return Outcome(SKIPPED, "the resource moved to another version meanwhile")
    if outcome.status in (previews.READY, previews.FAILED):
        metrics.count(metrics.PREVIEWS_MADE if outcome.status == previews.READY else metrics.PREVIEWS_FAILED)
    if resource.version is not None and int(resource.version) == upload.version:
        refresh_grants(resource)  # the live version's thumbnail reaches the pages of every holder
    return outcome


def _why_skip(resource: store.Resource | None, key: str, upload: UploadKey) -> str | None:
    """Why this object gets no previews from this run, or None when it should."""
    if resource is None or resource.kind != store.FILE:
        return "no such file resource"
    if key not in (resource.s3_key, resource.pending_key):
        return "not the live or pending version"
    if resource.preview_version is not None and int(resource.preview_version) > upload.version:
        return "a newer version has previews"
    return None


def _preview_outcome(bucket: str, key: str, head: dict[str, Any], source: str, upload: UploadKey,
                     content_type: str | None) -> tuple[dict[str, Any], Outcome]:
    """The preview fields to record (all of them: None removes a stale one) and the outcome."""
    kind = previews.preview_kind(content_type, upload.filename)
    fields: dict[str, Any] = {name: None for name in store.PREVIEW_FIELDS}
    fields.update(preview_version=upload.version, preview_source=source)
    if kind is None:
        fields["preview_status"] = previews.NONE
        return fields, Outcome(previews.NONE, detail=content_type or "no type")
    try:
        previews.check_source_size(int(head["ContentLength"]))
        fields.update(_reused(bucket, upload, source) or _made(bucket, key, head, source, kind, upload))
        fields["preview_status"] = previews.READY
        return fields, Outcome(previews.READY, detail=f"{fields['width']} × {fields['height']}, {kind}")
    except Unpreviewable as e:
        fields.update(preview_status=previews.FAILED, preview_reason=e.reason)
        return fields, Outcome(previews.FAILED, e.reason, detail=str(e)[:200])


def _head(bucket: str, key: str, version_id: str | None) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    params = {"Bucket": bucket, "Key": key, **({"VersionId": version_id} if version_id else {})}
    try:
        return s3().head_object(**params)  # type: ignore[no-any-return]
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NoSuchVersion", "400"):
            return None
        raise


def _source_id(head: dict[str, Any]) -> str:
    version = head.get("VersionId")
    return str(version) if version and version != "null" else "etag:" + str(head["ETag"]).strip('"')


def _reused(bucket: str, upload: UploadKey, source: str) -> dict[str, Any] | None:
    """The fields of previews already written for this exact source (the large one is written
    last and carries every figure in its metadata), or None."""
    from botocore.exceptions import ClientError

    try:
        head = s3().head_object(Bucket=bucket, Key=_key(upload, previews.LARGE))
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
            return None
        raise
    meta = head.get("Metadata", {})
    if meta.get("source") != source:
        return None
    try:
        return {**_keys(upload), **{name: int(meta[name.replace("_", "-")]) for name in _FIGURES}}
    except (KeyError, ValueError):
        return None


_FIGURES = ("width", "height", "preview_small_width", "preview_small_height", "preview_large_width",
            "preview_large_height")


def _made(bucket: str, key: str, head: dict[str, Any], source: str, kind: str, upload: UploadKey) -> dict[str, Any]:
    from chalicelib.services.delivery.previews import render as preview_render

    with _download(bucket, key, head) as spool:
        rendered = preview_render.render(spool, kind)
    small, large = rendered.previews
    figures = {"width": rendered.width, "height": rendered.height,
               "preview_small_width": small.width, "preview_small_height": small.height,
               "preview_large_width": large.width, "preview_large_height": large.height}
    metadata = {"source": source, **{name.replace("_", "-"): str(value) for name, value in figures.items()}}
    for preview in (small, large):  # the large one last: its presence means both are there
        s3().put_object(Bucket=bucket, Key=_key(upload, preview.size), Body=preview.webp,
                        ContentType="image/webp", Metadata=metadata)
    return {**_keys(upload), **figures}


def _download(bucket: str, key: str, head: dict[str, Any]) -> IO[bytes]:
    """The object's bytes in a temporary file (never more than the byte cap), pinned to the
    version that was checked: its VersionId, else its ETag."""
    params: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if head.get("VersionId") and head["VersionId"] != "null":
        params["VersionId"] = head["VersionId"]
    else:
        params["IfMatch"] = head["ETag"]
    import tempfile  # here: it costs `import app` ~0.5 ms

    body = s3().get_object(**params)["Body"]
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - returned open, closed by the caller's `with`
    try:
        read = 0
        while chunk := body.read(_CHUNK):
            read += len(chunk)
            if read > previews.MAX_SOURCE_BYTES:
                raise Unpreviewable(previews.TOO_LARGE, f"more than {previews.MAX_SOURCE_BYTES} bytes")
            spool.write(chunk)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    finally:
        body.close()
    return spool


def _key(upload: UploadKey, size: int) -> str:
    return previews.preview_key(upload.business_id, upload.resource_id, upload.version, size)


def _keys(upload: UploadKey) -> dict[str, str]:
    return {"preview_small_key": _key(upload, previews.SMALL), "preview_large_key": _key(upload, previews.LARGE)}
