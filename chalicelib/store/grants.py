"""Grants: one client's access to one resource through one attachment.

A grant for an invoice attachment lives in the invoice's item collection
(`DOC#{bid}#{did}` / `GRANT#{gid}`), so the invoice page reads it with the invoice in one
Query and a download reads grant and invoice in one BatchGet. `gsi1` lists a client's
grants (`BIZ#{bid}#CLIENT#{cid}#GRANTS`) for the client's Files page.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import BooleanAttribute, ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.store.documents import doc_pk
from chalicelib.store.table import BaseItem


class Change(MapAttribute[str, object]):
    at = UnicodeAttribute()
    state = UnicodeAttribute()
    reason = UnicodeAttribute()


class Grant(BaseItem, discriminator="grant"):
    grant_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    doc_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    policy = UnicodeAttribute()
    state = UnicodeAttribute()
    reason = UnicodeAttribute()
    history = ListAttribute(of=Change, default=list)
    download_limit = NumberAttribute(null=True)
    downloads = NumberAttribute(default=0)
    access_days = NumberAttribute(null=True)
    access_expires_at = UnicodeAttribute(null=True)
    keep_after_refund = BooleanAttribute(default=False)
    # What the client sees and gets, kept in step with the resource's live version.
    title = UnicodeAttribute()
    kind = UnicodeAttribute()
    filename = UnicodeAttribute(null=True)
    size = NumberAttribute(null=True)
    s3_key = UnicodeAttribute(null=True)
    url = UnicodeAttribute(null=True)
    # The download link's token (client-facing); lookups use the SHA-256 token item.
    file_token = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


def grants_list_pk(business_id: str, client_id: str) -> str:
    return f"BIZ#{business_id}#CLIENT#{client_id}#GRANTS"


def new_grant(business_id: str, doc_id: str, grant_id: str, client_id: str, created_at: str, **fields: Any) -> Grant:
    return Grant(
        doc_pk(business_id, doc_id), f"GRANT#{grant_id}",
        gsi1pk=grants_list_pk(business_id, client_id), gsi1sk=f"{created_at}#{grant_id}",
        grant_id=grant_id, business_id=business_id, client_id=client_id, doc_id=doc_id,
        created_at=created_at, updated_at=created_at, **fields,
    )
