"""Resources: external links, and files uploaded by the browser straight to S3.

Files up to 5 GB use one presigned POST whose policy pins the key, the exact declared
size and the content type; larger ones (to 50 GB) use S3 multipart upload with
presigned part URLs, resumable through `list_parts`. An upload counts only after
`confirm_upload` has seen the object in S3 with the declared size; its first bytes decide
the type recorded and served (the declared type is kept, with a warning when they disagree).
"""
from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain import sniff, uploads
from chalicelib.domain.errors import Conflict, NotFound, ValidationError
from chalicelib.domain.inputs import CompleteUpload, FileSpec, ResourceInput, ResourceUpdate
from chalicelib.domain.links import check_external_url
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import new_id
from chalicelib.services.delivery.sniffing import read_head
from chalicelib.services.delivery.unlock import refresh_grants
from chalicelib.store import resources as store
from chalicelib.store.table import iso, save_new, update_item

UPLOAD_URL_TTL = 900  # seconds a presigned upload URL may be used to *start* an upload
EDITED_MEANWHILE = "This resource was changed at the same time; reload and retry."


def get_resource(principal: Principal, resource_id: str) -> store.Resource:
    resource = store.get_resource(principal.business_id, resource_id)
    if resource is None:
        raise NotFound("Resource not found.", field="resource_id")
    return resource


def create_resource(principal: Principal, data: ResourceInput) -> tuple[store.Resource, dict[str, Any] | None]:
    """A new link (ready at once) or file (waiting for its upload, with the upload plan)."""
    now = iso(clock.now())
    common = {"title": data.title, "description": data.description, "tags": data.tags, "created_at": now, "updated_at": now,
              "product_image": data.product_image, "preview_before_payment": data.preview_before_payment}
    resource_id = new_id()
    if data.kind == store.LINK:
        if not data.url or data.file is not None:
            raise ValidationError("A link needs a URL (and no file).", field="url")
        resource = store.new_resource(principal.business_id, resource_id, kind=store.LINK,
                                      url=check_external_url(data.url), **common)
        save_new(resource)
        return resource, None
    if data.file is None or data.url is not None:
        raise ValidationError("A file needs its file details (and no URL).", field="file")
    resource = store.new_resource(principal.business_id, resource_id, kind=store.FILE,
                                  status=store.UPLOADING, **common)
    plan = _start_upload(principal, resource, data.file, version=1)
    save_new(resource)
    return resource, plan


def new_version(principal: Principal, resource_id: str, spec: FileSpec) -> dict[str, Any]:
    """Start uploading a replacement; grant holders get it once it is confirmed."""
    resource = get_resource(principal, resource_id)
    if resource.kind != store.FILE:
        raise Conflict("Only files have versions.")
    expected = resource.updated_at
    plan = _start_upload(principal, resource, spec, version=int(resource.version) + 1)
    _write(resource, PENDING_FIELDS, expected, "Another upload of this resource started at the same time.")
    return plan


def _start_upload(principal: Principal, resource: store.Resource, spec: FileSpec, version: int) -> dict[str, Any]:
    uploads.check_size(spec.size)
    content_type = uploads.check_content_type(spec.content_type)
    filename = uploads.safe_filename(spec.filename)
    key = store.upload_key(principal.business_id, resource.resource_id, version, filename)
    resource.pending_version, resource.pending_key, resource.pending_size = version, key, spec.size
    resource.pending_content_type, resource.pending_filename, resource.pending_sha256 = content_type, filename, spec.sha256
    resource.updated_at = iso(clock.now())
    if uploads.is_multipart(spec.size):
        return _start_multipart(resource, key, content_type, spec.size)
    resource.upload_id = None
    return _presigned_post(key, content_type, spec.size)


def _presigned_post(key: str, content_type: str, size: int) -> dict[str, Any]:
    post = s3().generate_presigned_post(
        Bucket=settings().files_bucket, Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
        ExpiresIn=UPLOAD_URL_TTL,
    )
    return {"method": "post", "url": post["url"], "fields": post["fields"], "expires_in": UPLOAD_URL_TTL}


def _start_multipart(resource: store.Resource, key: str, content_type: str, size: int) -> dict[str, Any]:
    started = s3().create_multipart_upload(Bucket=settings().files_bucket, Key=key, ContentType=content_type)
    resource.upload_id = started["UploadId"]
    return {"method": "multipart", "part_size": uploads.part_size(size), "part_count": uploads.part_count(size)}


def _multipart(resource: store.Resource) -> tuple[str, str]:
    if not resource.upload_id or not resource.pending_key:
        raise Conflict("This resource has no multipart upload in progress.")
    return resource.pending_key, resource.upload_id


def presign_parts(principal: Principal, resource_id: str, part_numbers: list[int]) -> list[dict[str, Any]]:
    """Short-lived PUT URLs for some parts (the browser asks for more as it goes)."""
    key, upload_id = _multipart(get_resource(principal, resource_id))
    return [
        {"part_number": n, "url": s3().generate_presigned_url(
            "upload_part", Params={"Bucket": settings().files_bucket, "Key": key, "UploadId": upload_id, "PartNumber": n},
            ExpiresIn=UPLOAD_URL_TTL)}
        for n in sorted(set(part_numbers))
    ]


def uploaded_parts(principal: Principal, resource_id: str) -> list[dict[str, Any]]:
    """Parts S3 already has, so an interrupted upload resumes instead of restarting."""
    key, upload_id = _multipart(get_resource(principal, resource_id))
    pages = s3().get_paginator("list_parts").paginate(Bucket=settings().files_bucket, Key=key, UploadId=upload_id)
    parts = [p for page in pages for p in page.get("Parts", [])]
    return [{"part_number": p["PartNumber"], "etag": p["ETag"], "size": p["Size"]} for p in parts]


def complete_multipart(principal: Principal, resource_id: str, data: CompleteUpload) -> store.Resource:
    from botocore.exceptions import ClientError

    resource = get_resource(principal, resource_id)
    key, upload_id = _multipart(resource)
    parts = [{"PartNumber": p.part_number, "ETag": p.etag} for p in sorted(data.parts, key=lambda p: p.part_number)]
    try:
        s3().complete_multipart_upload(Bucket=settings().files_bucket, Key=key, UploadId=upload_id,
                                       MultipartUpload={"Parts": parts})
    except ClientError as e:
        raise ValidationError("S3 refused the parts; check part numbers and ETags.", field="parts") from e
    return confirm_upload(principal, resource_id)


def abort_upload(principal: Principal, resource_id: str) -> None:
    resource = get_resource(principal, resource_id)
    if resource.upload_id and resource.pending_key:
        s3().abort_multipart_upload(Bucket=settings().files_bucket, Key=resource.pending_key, UploadId=resource.upload_id)
    _clear_pending(resource)


def confirm_upload(principal: Principal, resource_id: str) -> store.Resource:
    """Make the uploaded object the live version, after checking it exists with the declared
    size, and record the type its first bytes show (one ranged GET of ≤ 4 KiB)."""
    resource = get_resource(principal, resource_id)
    if not resource.pending_key:
        raise Conflict("There is no upload to confirm.")
    head = read_head(resource.pending_key)
    if head is None:
        raise Conflict("The file has not arrived in storage yet; finish the upload first.")
    if head.size != int(resource.pending_size or 0):
        raise Conflict(f"The stored file has {head.size} bytes, not the {resource.pending_size} declared.")
    declared = resource.pending_content_type
    content_type, mismatch = sniff.true_type(declared, head.first_bytes)
    resource.version, resource.s3_key = resource.pending_version, resource.pending_key
    resource.filename, resource.size = resource.pending_filename, resource.pending_size
    resource.content_type, resource.sha256 = content_type, resource.pending_sha256
    resource.declared_content_type = declared
    resource.type_warning = sniff.mismatch_warning(declared, content_type) if mismatch else None
    resource.status = store.READY
    _clear_pending(resource, LIVE_FIELDS)
    refresh_grants(resource)  # the new version's name, size and thumbnail reach every holder
    return resource


PENDING_FIELDS = ("pending_version", "pending_key", "pending_size", "pending_content_type", "pending_filename",
                  "pending_sha256", "upload_id")
LIVE_FIELDS = ("version", "s3_key", "filename", "size", "content_type", "declared_content_type", "type_warning",
               "sha256", "status")


def _clear_pending(resource: store.Resource, also: tuple[str, ...] = ()) -> None:
    expected = resource.updated_at
    for name in PENDING_FIELDS:
        setattr(resource, name, None)
    _write(resource, PENDING_FIELDS + also, expected, "The upload changed at the same time; reload and retry.")


def _write(resource: store.Resource, names: tuple[str, ...], expected: str, message: str) -> None:
    """Write only these fields, if nobody changed the upload since `expected` (the previews
    worker records its results on the same item at any moment: a whole-item save would undo them).

    The lock is `updated_at`, which every staff write moves and the previews worker leaves
    alone, not `item_version`, which the worker bumps too: a preview landing during the
    confirm's ranged GET must not fail the confirm."""
    update_item(resource, {n: getattr(resource, n) for n in names}, iso(clock.now()),
                condition=store.Resource.updated_at == expected, message=message, version_check=False)


def update_resource(principal: Principal, resource_id: str, data: ResourceUpdate) -> store.Resource:
    resource = get_resource(principal, resource_id)
    changes = data.given()
    if "url" in changes:
        if resource.kind != store.LINK:
            raise ValidationError("Only links have a URL.", field="url")
        check_external_url(str(changes["url"]))
    # Conditional on `item_version` (update_item's default): a second edit, a confirm or a
    # preview written since the read above makes this a 409 rather than a silent overwrite.
    update_item(resource, changes, iso(clock.now()), message=EDITED_MEANWHILE)
    refresh_grants(resource)  # titles, thumbnails and preview choices reach every holder
    return resource


def list_resources(principal: Principal, limit: int, cursor: str | None) -> tuple[list[store.Resource], str | None]:
    return store.list_resources(principal.business_id, limit, cursor)
