"""Files sent with messages: uploaded by the browser straight to S3 (presigned POST), at most
100 MB each, typed by their content when the upload is confirmed.

Each file is a resource of the business (kind file, tagged "message") under `uploads/`, so the
previews worker makes its thumbnails like any other file's, plus an attachment item in the
conversation that says who uploaded it and, once sent, with which message: only that
conversation's pages link to it, and only after it went out.

The dashboard knows a file's name, size and type before uploading, so its POST policy pins all
three. The portal has no script (its CSP allows none): its form posts the file to S3 directly,
with a policy allowing 1 byte to 100 MB under a fixed key, and S3 sends the browser back to the
confirm page (`success_action_redirect`); the name shown is then taken from the type found.
"""
from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain import messages as rules
from chalicelib.domain import sniff, uploads
from chalicelib.domain.errors import Conflict, NotFound, ValidationError
from chalicelib.domain.messaging_inputs import AttachmentSpec
from chalicelib.domain.tokens import new_id
from chalicelib.services.delivery.sniffing import read_head
from chalicelib.services.messaging.conversations import Author
from chalicelib.store import messages as store
from chalicelib.store import resources
from chalicelib.store.businesses import business_pk
from chalicelib.store.table import iso, save_new, update_item

UPLOAD_URL_TTL = 900
PORTAL_NAME = "file"  # the portal's fixed object name: the browser's file name never reaches us
_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif",
               "image/webp": "webp", "text/plain": "txt", "application/zip": "zip", sniff.DOCX: "docx",
               sniff.XLSX: "xlsx", sniff.PPTX: "pptx", "text/csv": "csv", "image/heic": "heic", "video/mp4": "mp4"}


def start(business_id: str, conversation_id: str, author: Author, spec: AttachmentSpec | None,
          redirect: str | None = None, project_id: str | None = None) -> tuple[str, dict[str, Any]]:
    """A pending attachment and the presigned POST that uploads it: (attachment id, plan)."""
    resource_id, now = new_id(), iso(clock.now())
    if spec is not None:
        rules.check_attachment_size(spec.size)
        content_type, filename = uploads.check_content_type(spec.content_type), uploads.safe_filename(spec.filename)
        rules.check_attachment_type(content_type)
        conditions: list[Any] = [{"Content-Type": content_type}, ["content-length-range", spec.size, spec.size]]
        fields = {"Content-Type": content_type}
    else:
        content_type, filename = "application/octet-stream", PORTAL_NAME
        conditions, fields = [["content-length-range", 1, rules.MAX_ATTACHMENT]], {}
    if redirect:  # `{attachment_id}` in it stands for this attachment's id
        redirect = redirect.replace("{attachment_id}", resource_id)
        conditions.append({"success_action_redirect": redirect})
        fields["success_action_redirect"] = redirect
    key = resources.upload_key(business_id, resource_id, 1, filename)
    save_new(resources.new_resource(
        business_id, resource_id, kind=resources.FILE, status=resources.UPLOADING, title=filename, tags=["message"],
        pending_version=1, pending_key=key, pending_size=spec.size if spec else None,
        pending_content_type=content_type, pending_filename=filename, created_at=now, updated_at=now))
    save_new(store.new_file(business_id, conversation_id, resource_id, side=author.side, uploader_id=author.author_id,
                            project_id=project_id, created_at=now))
    post = s3().generate_presigned_post(Bucket=settings().files_bucket, Key=key, Fields=fields, Conditions=conditions,
                                        ExpiresIn=UPLOAD_URL_TTL)
    return resource_id, {"method": "post", "url": post["url"], "fields": post["fields"], "expires_in": UPLOAD_URL_TTL}


def confirm(business_id: str, conversation_id: str, author: Author, resource_id: str) -> store.AttachmentFile:
    """Make an uploaded attachment ready to send, after checking its size and reading its type."""
    item = store.get_file(business_id, conversation_id, resource_id)
    resource = resources.get_resource(business_id, resource_id)
    if item is None or resource is None or item.uploader_id != author.author_id or item.side != author.side:
        raise NotFound("Attachment not found.", field="attachment_id")
    if item.status == "ready":
        return item  # the browser came back twice (reload after S3's redirect)
    key = str(resource.pending_key)
    head = read_head(key)
    if head is None:
        raise Conflict("The file has not arrived in storage yet; finish the upload first.")
    if head.size > rules.MAX_ATTACHMENT or head.size < 1:
        raise ValidationError("An attachment can be from 1 byte to 100 MB.", field="size")
    if resource.pending_size is not None and head.size != int(resource.pending_size):
        raise Conflict(f"The stored file has {head.size} bytes, not the {resource.pending_size} declared.")
    declared = None if resource.pending_filename == PORTAL_NAME else resource.pending_content_type
    content_type, mismatch = sniff.true_type(declared, head.first_bytes)
    try:
        rules.check_attachment_type(content_type)  # by its bytes: a program named .pdf is still one
    except ValidationError:
        s3().delete_object(Bucket=settings().files_bucket, Key=key)  # never kept, never sendable
        raise
    filename = str(resource.pending_filename)
    if filename == PORTAL_NAME:
        filename = f"attachment.{_EXTENSIONS.get(content_type, 'bin')}"
    update_item(resource, {
        "version": 1, "s3_key": key, "filename": filename, "size": head.size, "content_type": content_type,
        "declared_content_type": declared, "status": resources.READY, "title": filename,
        "type_warning": sniff.mismatch_warning(declared, content_type) if mismatch else None,
        **{name: None for name in ("pending_version", "pending_key", "pending_size", "pending_content_type",
                                   "pending_filename")}}, iso(clock.now()), version_check=False)
    item.update(actions=[
        store.AttachmentFile.status.set("ready"), store.AttachmentFile.filename.set(filename),
        store.AttachmentFile.size.set(head.size), store.AttachmentFile.content_type.set(content_type),
        store.AttachmentFile.s3_key.set(key)])
    return item


def pending(business_id: str, conversation_id: str, author: Author, ids: list[str]) -> list[dict[str, Any]]:
    """The author's uploaded, not yet sent attachments among `ids` (the portal's composer)."""
    found = []
    for resource_id in list(dict.fromkeys(ids))[: rules.MAX_ATTACHMENTS]:
        item = store.get_file(business_id, conversation_id, resource_id)
        if item and item.uploader_id == author.author_id and item.side == author.side and item.status == "ready" \
                and not item.message_id:
            found.append({"id": resource_id, "filename": item.filename, "size": int(item.size or 0)})
    return found


def download_url(business_id: str, conversation_id: str, resource_id: str) -> str:
    """A short-lived link to a sent attachment of this conversation (404 for anything else)."""
    item = store.get_file(business_id, conversation_id, resource_id)
    if item is None or not item.message_id or not item.s3_key:
        raise NotFound("Attachment not found.")
    filename = (item.filename or "file").replace('"', "")
    params = {"Bucket": settings().files_bucket, "Key": item.s3_key,
              "ResponseContentDisposition": f'attachment; filename="{filename}"'}
    if item.content_type:  # the type its bytes show
        params["ResponseContentType"] = item.content_type
    return str(s3().generate_presigned_url("get_object", ExpiresIn=settings().download_ttl_seconds, Params=params))


def previews_of(business_id: str, resource_ids: list[str]) -> dict[str, str]:
    """Small preview URLs of the attachments that have one (one BatchGet; signed locally)."""
    from chalicelib.services.delivery.previews.urls import preview_url

    if not resource_ids:
        return {}
    keys = [(business_pk(business_id), resources.resource_sk(r)) for r in dict.fromkeys(resource_ids)]
    found = {}
    for r in resources.Resource.batch_get(keys[:100]):
        if r.preview_state == "ready" and r.preview_small_key:
            found[r.resource_id] = str(preview_url(r.preview_small_key))
    return found
