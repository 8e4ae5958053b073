"""Attachments: one resource offered through one target (client, product, invoice, quote,
project) under one policy.

`BIZ#{bid}` / `ATTACH#{rid}#{aid}` lists a resource's attachments with one Query;
`gsi1` (`BIZ#{bid}#TARGET#{type}#{tid}`) lists a target's, e.g. the resources of the
products on an invoice.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.store.businesses import business_pk
from chalicelib.store.table import BaseItem


class Attachment(BaseItem, discriminator="attachment"):
    attachment_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    target_type = UnicodeAttribute()
    target_id = UnicodeAttribute()
    client_id = UnicodeAttribute(null=True)  # None for products: they reach many clients
    policy = UnicodeAttribute()
    download_limit = NumberAttribute(null=True)
    access_days = NumberAttribute(null=True)
    refund_rule = UnicodeAttribute(default="revoke_on_full_refund")  # domain.access.REFUND_RULES
    claim_token = UnicodeAttribute(null=True)  # claim links: shown to staff only, like share tokens
    created_at = UnicodeAttribute()


def attachment_sk(resource_id: str, attachment_id: str) -> str:
    return f"ATTACH#{resource_id}#{attachment_id}"


def target_pk(business_id: str, target_type: str, target_id: str) -> str:
    return f"BIZ#{business_id}#TARGET#{target_type}#{target_id}"


def new_attachment(business_id: str, resource_id: str, attachment_id: str, target_type: str, target_id: str,
                   created_at: str, **fields: Any) -> Attachment:
    return Attachment(
        business_pk(business_id), attachment_sk(resource_id, attachment_id),
        gsi1pk=target_pk(business_id, target_type, target_id), gsi1sk=f"{created_at}#{attachment_id}",
        attachment_id=attachment_id, business_id=business_id, resource_id=resource_id,
        target_type=target_type, target_id=target_id, created_at=created_at, **fields,
    )


def get_attachment(business_id: str, resource_id: str, attachment_id: str) -> Attachment | None:
    try:
        return Attachment.get(business_pk(business_id), attachment_sk(resource_id, attachment_id), consistent_read=True)
    except Attachment.DoesNotExist:
        return None


def attachments_of_resource(business_id: str, resource_id: str) -> list[Attachment]:
    return list(Attachment.query(business_pk(business_id), Attachment.sk.startswith(f"ATTACH#{resource_id}#")))


def attachments_of_target(business_id: str, target_type: str, target_id: str) -> list[Attachment]:
    found = Attachment.gsi1.query(target_pk(business_id, target_type, target_id))
    return [a for a in found if isinstance(a, Attachment)]
