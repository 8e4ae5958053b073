"""Resources (files in S3, external links) of a business, and their versions."""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.domain import previews
from chalicelib.domain.errors import Conflict
from chalicelib.store.businesses import business_pk
from chalicelib.store.table import BaseItem, conditional, query_page

FILE, LINK = "file", "link"
UPLOADING, READY = "uploading", "ready"


class Resource(BaseItem, discriminator="resource"):
    resource_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # file | link
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    url = UnicodeAttribute(null=True)  # links
    # Files: the live version's object and facts. `pending_*` describe an upload in flight.
    version = NumberAttribute(default=0)
    s3_key = UnicodeAttribute(null=True)
    filename = UnicodeAttribute(null=True)
    size = NumberAttribute(null=True)
    content_type = UnicodeAttribute(null=True)  # what the first bytes show (served on download)
    declared_content_type = UnicodeAttribute(null=True)  # what the browser said at upload
    type_warning = UnicodeAttribute(null=True)  # for staff, when the two disagree
    sha256 = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default=READY)
    pending_version = NumberAttribute(null=True)
    pending_key = UnicodeAttribute(null=True)
    pending_size = NumberAttribute(null=True)
    pending_content_type = UnicodeAttribute(null=True)
    pending_filename = UnicodeAttribute(null=True)
    pending_sha256 = UnicodeAttribute(null=True)
    upload_id = UnicodeAttribute(null=True)  # multipart uploads
    # Previews, written by the previews worker for file version `preview_version` (which may be
    # the pending one). They describe the live version only when `preview_state` says so.
    product_image = BooleanAttribute(default=False)
    preview_before_payment = BooleanAttribute(null=True)
    preview_status = UnicodeAttribute(null=True)  # ready | none | failed (`pending` is derived)
    preview_reason = UnicodeAttribute(null=True)  # why `failed` ("too large", "not a valid image", …)
    preview_version = NumberAttribute(null=True)
    preview_source = UnicodeAttribute(null=True)  # the S3 object version (or ETag) they were made from
    preview_small_key = UnicodeAttribute(null=True)  # previews/{bid}/{rid}/v{n}/160.webp
    preview_large_key = UnicodeAttribute(null=True)  # previews/{bid}/{rid}/v{n}/640.webp
    width = NumberAttribute(null=True)  # the original, upright, in pixels (PDF: first page in points)
    height = NumberAttribute(null=True)
    preview_small_width = NumberAttribute(null=True)
    preview_small_height = NumberAttribute(null=True)
    preview_large_width = NumberAttribute(null=True)
    preview_large_height = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    # Bumped by every write (PynamoDB adds it to saves and updates): a staff edit is written
    # only if nobody wrote the item since it was read, so racing edits get a 409, never a
    # silent overwrite. Not `version`: that is the file's version number.
    item_version = VersionAttribute()

    @property
    def preview_state(self) -> str:
        """`pending | ready | none | failed` for the live version (a new version is `pending`
        until the worker has recorded an outcome for it)."""
        return previews.live_status(self.kind, self.version, self.preview_version, self.preview_status)


def business_id_of(resource: Resource) -> str:
    return resource.pk.removeprefix("BIZ#")


def resource_sk(resource_id: str) -> str:
    return f"RES#{resource_id}"


def new_resource(business_id: str, resource_id: str, **fields: Any) -> Resource:
    return Resource(business_pk(business_id), resource_sk(resource_id), resource_id=resource_id, **fields)


def get_resource(business_id: str, resource_id: str) -> Resource | None:
    try:
        return Resource.get(business_pk(business_id), resource_sk(resource_id), consistent_read=True)
    except Resource.DoesNotExist:
        return None


def list_resources(business_id: str, limit: int, cursor: str | None) -> tuple[list[Resource], str | None]:
    return query_page(Resource, business_pk(business_id), "RES#", limit, cursor)


def upload_key(business_id: str, resource_id: str, version: int, filename: str) -> str:
    """Where a file version lives. Under `uploads/` so S3 notifies the previews worker."""
    return f"uploads/{business_id}/{resource_id}/v{version}/{filename}"


PREVIEW_FIELDS = (
    "preview_status", "preview_reason", "preview_version", "preview_source", "preview_small_key", "preview_large_key",
    "width", "height", "preview_small_width", "preview_small_height", "preview_large_width", "preview_large_height",
)


def record_preview(resource: Resource, key: str, fields: dict[str, Any]) -> bool:
    """Write the preview fields (None removes one) in one UpdateItem, only while `key` is still
    the live or pending version and no newer version's previews are recorded. False when
    that no longer holds (the resource moved on while the previews were made).

    `updated_at` is left alone: it is the lock the upload steps save under, and a preview
    must not make a staff member's confirm fail. For the same reason the write is not
    conditional on `item_version` (its own condition says whether the result still applies;
    a staff edit in between changed other fields), though PynamoDB still bumps it.
    """
    version = int(fields["preview_version"])
    actions = [getattr(Resource, name).set(value) if value is not None else getattr(Resource, name).remove()
               for name, value in fields.items() if name in PREVIEW_FIELDS]
    condition = ((Resource.s3_key == key) | (Resource.pending_key == key)) & (
        Resource.preview_version.does_not_exist() | (Resource.preview_version <= version))
    try:
        conditional(lambda: resource.update(actions=actions, condition=condition, add_version_condition=False),
                    "superseded")
    except Conflict:
        return False
    return True
