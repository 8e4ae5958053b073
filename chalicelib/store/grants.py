"""Grants: one client's access to one resource through one attachment.

A grant lives with what it hangs on. For an invoice or quote (directly, or through a product
on one of its lines) that is the document's item collection (`DOC#{bid}#{did}` /
`GRANT#{gid}`), so the invoice page reads grants with the invoice in one Query and a download
reads grant and invoice in one BatchGet. Grants through a client, a project or a claim link
live in the client's collection (`FILES#{bid}#{cid}`). `gsi1` lists a client's grants
(`BIZ#{bid}#CLIENT#{cid}#GRANTS`) for the Files page; `gsi2` lists a resource's
(`BIZ#{bid}#RES#{rid}#GRANTS`) for "who can access this" and actions on all of them.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import BooleanAttribute, ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.domain import access
from chalicelib.store.documents import doc_pk
from chalicelib.store.table import BaseItem


class Change(MapAttribute[str, object]):
    at = UnicodeAttribute()
    state = UnicodeAttribute()
    reason = UnicodeAttribute()
    by = UnicodeAttribute(null=True)  # who decided: payment, staff:{email}, claim, policy


class Grant(BaseItem, discriminator="grant"):
    grant_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    doc_id = UnicodeAttribute(null=True)  # set when the grant hangs on an invoice or quote
    resource_id = UnicodeAttribute()
    attachment_id = UnicodeAttribute(null=True)
    target_type = UnicodeAttribute(default="invoice")
    target_id = UnicodeAttribute(null=True)
    claimed_by = UnicodeAttribute(null=True)  # claim links: the contact who claimed it, for good
    subscription_id = UnicodeAttribute(null=True)  # given by a subscription: its status opens and closes it
    policy = UnicodeAttribute()
    state = UnicodeAttribute()
    reason = UnicodeAttribute()
    history = ListAttribute(of=Change, default=list)
    download_limit = NumberAttribute(null=True)
    downloads = NumberAttribute(default=0)
    access_days = NumberAttribute(null=True)
    access_expires_at = UnicodeAttribute(null=True)
    refund_rule = UnicodeAttribute(default="revoke_on_full_refund")  # domain.access.REFUND_RULES
    decided_by = UnicodeAttribute(default="policy")  # domain.access BY_*: who decided the current state
    # What the client sees and gets, kept in step with the resource's live version.
    title = UnicodeAttribute()
    kind = UnicodeAttribute()
    filename = UnicodeAttribute(null=True)
    size = NumberAttribute(null=True)
    s3_key = UnicodeAttribute(null=True)
    url = UnicodeAttribute(null=True)
    # The download link's token (client-facing); lookups use the SHA-256 token item.
    preview_key = UnicodeAttribute(null=True)  # the 160 px thumbnail of the live version
    preview_before_payment = BooleanAttribute(default=False)
    file_token = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()

    def serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        # Every save keeps the scheduler's agenda (gsi3) in step with the state and expiry.
        self.gsi3pk, self.gsi3sk = expiry_keys(self)
        return super().serialize(null_check=null_check)


def expiry_keys(grant: Grant) -> tuple[str | None, str | None]:
    """An available grant whose access ends, under the day it ends (gsi3), so the scheduler finds
    what expired with a query; any other state leaves the agenda."""
    if grant.state != access.AVAILABLE or not grant.access_expires_at:
        return None, None
    return expires_pk(grant.access_expires_at[:10]), f"{grant.access_expires_at}#{grant.business_id}#{grant.grant_id}"


def expires_pk(day: str) -> str:
    return f"EXPIRES#{day}"


def grants_list_pk(business_id: str, client_id: str) -> str:
    return f"BIZ#{business_id}#CLIENT#{client_id}#GRANTS"


def resource_grants_pk(business_id: str, resource_id: str) -> str:
    return f"BIZ#{business_id}#RES#{resource_id}#GRANTS"


def client_files_pk(business_id: str, client_id: str) -> str:
    return f"FILES#{business_id}#{client_id}"


def home_of(business_id: str, doc_id: str | None, client_id: str) -> str:
    """Where a grant is stored: with its document, or with its client."""
    return doc_pk(business_id, doc_id) if doc_id else client_files_pk(business_id, client_id)


def new_grant(business_id: str, doc_id: str | None, grant_id: str, client_id: str, created_at: str,
              **fields: Any) -> Grant:
    return Grant(
        home_of(business_id, doc_id, client_id), f"GRANT#{grant_id}",
        gsi1pk=grants_list_pk(business_id, client_id), gsi1sk=f"{created_at}#{grant_id}",
        gsi2pk=resource_grants_pk(business_id, fields["resource_id"]), gsi2sk=f"{created_at}#{grant_id}",
        grant_id=grant_id, business_id=business_id, client_id=client_id, doc_id=doc_id,
        created_at=created_at, updated_at=created_at, **fields,
    )


def token_target(grant: Grant) -> str:
    """What a download or claim token points at: the grant's home, id and resource."""
    # The home never moves, even when a claim hands the grant to a contact of another client.
    home = f"doc:{grant.doc_id}" if grant.doc_id else f"client:{grant.pk.rsplit('#', 1)[1]}"
    return f"{home}/{grant.grant_id}/{grant.resource_id}"


def grant_key(business_id: str, target: str) -> tuple[str, str, str, str | None] | None:
    """(grant pk, grant sk, resource id, doc id) behind a token target, or None if malformed."""
    parts = target.split("/")
    if len(parts) != 3 or not all(parts):
        return None
    home, grant_id, resource_id = parts
    kind, _, home_id = home.partition(":")
    if kind == "doc" and home_id:
        return doc_pk(business_id, home_id), f"GRANT#{grant_id}", resource_id, home_id
    if kind == "client" and home_id:
        return client_files_pk(business_id, home_id), f"GRANT#{grant_id}", resource_id, None
    return None


def grants_of_resource(business_id: str, resource_id: str) -> list[Grant]:
    found = Grant.gsi2.query(resource_grants_pk(business_id, resource_id))
    return [g for g in found if isinstance(g, Grant)]


def grants_of_client(business_id: str, client_id: str) -> list[Grant]:
    found = Grant.gsi1.query(grants_list_pk(business_id, client_id))
    return [g for g in found if isinstance(g, Grant)]
