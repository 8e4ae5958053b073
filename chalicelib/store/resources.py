"""Resources (files in S3, external links) of a business, and their versions."""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.businesses import business_pk
from chalicelib.store.table import BaseItem, query_page

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
    content_type = UnicodeAttribute(null=True)
    sha256 = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default=READY)
    pending_version = NumberAttribute(null=True)
    pending_key = UnicodeAttribute(null=True)
    pending_size = NumberAttribute(null=True)
    pending_content_type = UnicodeAttribute(null=True)
    pending_filename = UnicodeAttribute(null=True)
    pending_sha256 = UnicodeAttribute(null=True)
    upload_id = UnicodeAttribute(null=True)  # multipart uploads
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


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
