"""Deliverables awaiting a client's approval: one partition per deliverable with its versions,
their decisions and the comments on them.

| item | pk | sk |
|---|---|---|
| deliverable | `DELIV#{bid}#{did}` | `META` |
| version (its file and its one decision) | `DELIV#{bid}#{did}` | `V#{n:04}` |
| comment on a version | `DELIV#{bid}#{did}` | `V#{n:04}#C#{iso}#{id}` |

The deliverable is in gsi1 under `BIZ#{bid}#DELIVERABLES` and in gsi2 under
`BIZ#{bid}#PROJECT#{pid}#DELIVERABLES`, both sorted by `{status}#{updated}#{did}`.

One Query of the partition returns the deliverable, then each version followed by its
comments in order: the whole history in one round trip. The status leads the index sort
key, so "pending across projects" is a Query with `begins_with`, never a filter.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.store.table import BaseItem, index_page

BUSINESS_INDEX, PROJECT_INDEX = "gsi1", "gsi2"


class Deliverable(BaseItem, discriminator="deliverable"):
    deliverable_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    milestone_id = UnicodeAttribute(null=True)  # linked once milestones exist; a plain id for now
    resource_id = UnicodeAttribute()
    title = UnicodeAttribute()
    status = UnicodeAttribute()  # domain.approvals.STATUSES, of the current version
    current_version = NumberAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)  # the staff user who asked for approval
    updated_at = UnicodeAttribute()


class DeliverableVersion(BaseItem, discriminator="deliverable_version"):
    version = NumberAttribute()
    resource_version = NumberAttribute()  # the resource's file version this is
    s3_key = UnicodeAttribute()  # kept: old versions stay downloadable to staff
    filename = UnicodeAttribute(null=True)
    size = NumberAttribute(null=True)
    content_type = UnicodeAttribute(null=True)
    page_key = UnicodeAttribute(null=True)  # a readable-size WebP of the image or the PDF's first page
    page_width = NumberAttribute(null=True)
    page_height = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)
    # The decision: written once, under the condition that there is none yet.
    decision = UnicodeAttribute(null=True)  # approved | changes_requested
    decision_comment = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    decided_by_contact_id = UnicodeAttribute(null=True)
    decided_by_name = UnicodeAttribute(null=True)
    decided_by_email = UnicodeAttribute(null=True)
    decided_ip = UnicodeAttribute(null=True)
    decided_user_agent = UnicodeAttribute(null=True)


class DeliverableComment(BaseItem, discriminator="deliverable_comment"):
    comment_id = UnicodeAttribute()
    version = NumberAttribute()
    author_kind = UnicodeAttribute()  # contact | staff
    author_id = UnicodeAttribute()  # contact id, or the staff user's id
    author_name = UnicodeAttribute()
    text = UnicodeAttribute()
    created_at = UnicodeAttribute()


def deliverable_pk(business_id: str, deliverable_id: str) -> str:
    return f"DELIV#{business_id}#{deliverable_id}"


def version_sk(version: int) -> str:
    return f"V#{version:04d}"


def business_index_pk(business_id: str) -> str:
    return f"BIZ#{business_id}#DELIVERABLES"


def project_index_pk(business_id: str, project_id: str) -> str:
    return f"BIZ#{business_id}#PROJECT#{project_id}#DELIVERABLES"


def index_sk(status: str, updated_at: str, deliverable_id: str) -> str:
    return f"{status}#{updated_at}#{deliverable_id}"


def new_deliverable(business_id: str, deliverable_id: str, **fields: Any) -> Deliverable:
    item = Deliverable(deliverable_pk(business_id, deliverable_id), "META", deliverable_id=deliverable_id,
                       business_id=business_id, **fields)
    sort = index_sk(item.status, item.updated_at, deliverable_id)
    item.gsi1pk, item.gsi1sk = business_index_pk(business_id), sort
    item.gsi2pk, item.gsi2sk = project_index_pk(business_id, item.project_id), sort
    return item


def status_actions(status: str, updated_at: str, deliverable_id: str) -> list[Any]:
    """The update that moves a deliverable to `status` (and its place in both indexes)."""
    sort = index_sk(status, updated_at, deliverable_id)
    return [Deliverable.status.set(status), Deliverable.updated_at.set(updated_at),
            Deliverable.gsi1sk.set(sort), Deliverable.gsi2sk.set(sort)]


def new_version(business_id: str, deliverable_id: str, version: int, **fields: Any) -> DeliverableVersion:
    return DeliverableVersion(deliverable_pk(business_id, deliverable_id), version_sk(version), version=version,
                              **fields)


def new_comment(business_id: str, deliverable_id: str, version: int, created_at: str, comment_id: str,
                **fields: Any) -> DeliverableComment:
    return DeliverableComment(deliverable_pk(business_id, deliverable_id),
                              f"{version_sk(version)}#C#{created_at}#{comment_id}", comment_id=comment_id,
                              version=version, created_at=created_at, **fields)


def get_deliverable(business_id: str, deliverable_id: str) -> Deliverable | None:
    try:
        return Deliverable.get(deliverable_pk(business_id, deliverable_id), "META", consistent_read=True)
    except Deliverable.DoesNotExist:
        return None


def get_version(business_id: str, deliverable_id: str, version: int) -> DeliverableVersion | None:
    try:
        return DeliverableVersion.get(deliverable_pk(business_id, deliverable_id), version_sk(version),
                                      consistent_read=True)
    except DeliverableVersion.DoesNotExist:
        return None


def load(business_id: str, deliverable_id: str) -> list[BaseItem]:
    """The deliverable, its versions and their comments, in key order (one Query, consistent)."""
    return list(BaseItem.query(deliverable_pk(business_id, deliverable_id), consistent_read=True))


def list_page(business_id: str, project_id: str | None, status: str | None, limit: int,
              cursor: str | None) -> tuple[list[Deliverable], str | None]:
    """Deliverables of the business (or of one project), newest first within each status; one
    status only when `status` is given."""
    index = PROJECT_INDEX if project_id else BUSINESS_INDEX
    pk = project_index_pk(business_id, project_id) if project_id else business_index_pk(business_id)
    return index_page(Deliverable, index, pk, limit, cursor, newest_first=True,
                      sk_prefix=f"{status}#" if status else "")
