"""Redeeming a download link: decide now, log it, then hand out a 300-second presigned URL.

Reads: the token item (GetItem) and the grant with its invoice (one BatchGet); then a
conditional update counts the redemption and one PutItem logs the attempt.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain import access
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.tokens import looks_like_token, new_id
from chalicelib.store import access_log, tokens
from chalicelib.store.businesses import business_pk
from chalicelib.store.documents import Document, doc_pk
from chalicelib.store.grants import Grant
from chalicelib.store.resources import Resource, resource_sk
from chalicelib.store.table import BaseItem, conditional, utcnow

NOT_FOUND = "This download link is not valid."
MAX_USER_AGENT = 256


@dataclass(frozen=True)
class Redemption:
    allowed: bool
    reason: str
    location: str | None  # where to send the browser when allowed
    title: str


def _load(token: str) -> tuple[Grant, Document, Resource | None]:
    """The grant, its invoice and the resource's live version, in one BatchGet after the token."""
    if not looks_like_token(token):
        raise NotFound(NOT_FOUND)
    item = tokens.find_token(token, tokens.FILE_ACCESS)
    if item is None:
        raise NotFound(NOT_FOUND)
    doc_id, grant_id, resource_id = [*item.target_id.split("/"), "", ""][:3]
    pk = doc_pk(item.business_id, doc_id)
    keys = [(pk, f"GRANT#{grant_id}"), (pk, "META"), (business_pk(item.business_id), resource_sk(resource_id))]
    found = {(i.pk, i.sk): i for i in BaseItem.batch_get(keys)}
    grant, document, resource = (found.get(k) for k in keys)
    if not isinstance(grant, Grant) or not isinstance(document, Document) or grant.file_token != token:
        raise NotFound(NOT_FOUND)
    return grant, document, resource if isinstance(resource, Resource) else None


def _expires(grant: Grant) -> datetime | None:
    return datetime.fromisoformat(grant.access_expires_at.replace("Z", "+00:00")) if grant.access_expires_at else None


def _count(grant: Grant) -> None:
    """Count one redemption, only while the grant is still available and under its limit."""
    condition = Grant.state == access.AVAILABLE
    if grant.download_limit is not None:
        condition &= Grant.downloads < int(grant.download_limit)
    conditional(lambda: grant.update(actions=[Grant.downloads.add(1)], condition=condition, add_version_condition=False),
                "This file changed at the same time; try again.")


def _location(grant: Grant, resource: Resource | None) -> str:
    """Where the download goes: the resource's live version (new versions reach every holder)."""
    live = resource or grant
    if grant.kind == "link":
        return str(live.url)
    filename = (live.filename or "file").replace('"', "")
    return str(s3().generate_presigned_url("get_object", ExpiresIn=settings().presign_ttl_seconds, Params={
        "Bucket": settings().files_bucket, "Key": live.s3_key,
        "ResponseContentDisposition": f'attachment; filename="{filename}"',
    }))


def redeem(token: str, ip: str | None, user_agent: str | None) -> Redemption:
    """Decide, log and (when allowed) count one download. Raises NotFound for unknown links."""
    grant, document, resource = _load(token)
    now = utcnow()
    # Re-check the invoice unless access, once unlocked, is kept whatever happens to it.
    check_invoice = grant.policy == access.AFTER_PAYMENT and not grant.keep_after_refund
    decision = access.decide_download(
        grant.state, grant.policy, document.status == rules.PAID if check_invoice else None,
        int(grant.downloads or 0), int(grant.download_limit) if grant.download_limit is not None else None,
        _expires(grant), now,
    )
    reason = decision.reason
    if decision.allowed:
        try:
            _count(grant)
        except Conflict:
            # Someone else's redemption took the last download, or staff closed it just now.
            reason = "limit_reached" if grant.download_limit is not None else "revoked"
    access_log.new_entry(
        grant.business_id, new_id(), now, resource_id=grant.resource_id, grant_id=grant.grant_id,
        client_id=grant.client_id, doc_id=grant.doc_id, actor="link", action="download", result=reason,
        ip=ip, user_agent=(user_agent or "")[:MAX_USER_AGENT] or None,
    ).save()
    allowed = reason == "ok"
    return Redemption(allowed, reason, _location(grant, resource) if allowed else None, grant.title)
