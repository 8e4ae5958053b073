"""Redeeming a download link: decide now, log it, then hand out a 300-second presigned URL.

Reads: the token item (GetItem), then the grant, its invoice (if it hangs on one), the
resource's live version and the business's log retention in one BatchGet; then a
conditional update counts the redemption and one PutItem logs the attempt.
"""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain import access
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.tokens import looks_like_token
from chalicelib.services.client_sessions import ClientSession
from chalicelib.services.delivery import log_entry
from chalicelib.services.file_labels import expires_of
from chalicelib.store import tokens
from chalicelib.store.businesses import Business, business_pk
from chalicelib.store.documents import Document
from chalicelib.store.grants import Grant, grant_key
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
    business: Business | None = None  # whose brand a refusal page wears


@dataclass(frozen=True)
class Loaded:
    grant: Grant
    document: Document | None
    resource: Resource | None
    business: Business | None

    @property
    def retention_days(self) -> int | None:
        return int(self.business.log_retention_days) if self.business else None


def load_grant(token: str, purpose: str = tokens.FILE_ACCESS) -> Loaded:
    """The grant behind a download (or claim) token, with its invoice, the resource's live version
    and the business's log retention: one BatchGet after the token's GetItem. Raises NotFound."""
    if not looks_like_token(token):
        raise NotFound(NOT_FOUND)
    item = tokens.find_token(token, purpose)
    key = grant_key(item.business_id, item.target_id) if item else None
    if item is None or key is None:
        raise NotFound(NOT_FOUND)
    grant_pk, grant_sk, resource_id, doc_id = key
    keys = [(grant_pk, grant_sk), (business_pk(item.business_id), resource_sk(resource_id)),
            (business_pk(item.business_id), "PROFILE")]
    if doc_id:
        keys.append((grant_pk, "META"))
    found = {(i.pk, i.sk): i for i in BaseItem.batch_get(keys)}
    grant, resource, business = (found.get(k) for k in keys[:3])
    document = found.get(keys[3]) if doc_id else None
    if not isinstance(grant, Grant) or (doc_id and not isinstance(document, Document)):
        raise NotFound(NOT_FOUND)
    if purpose == tokens.FILE_ACCESS and grant.file_token != token:
        raise NotFound(NOT_FOUND)
    return Loaded(grant, document if isinstance(document, Document) else None,
                  resource if isinstance(resource, Resource) else None,
                  business if isinstance(business, Business) else None)


def user_agent_of(header: str | None) -> str | None:
    return (header or "")[:MAX_USER_AGENT] or None


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


def actor_of(grant: Grant, viewer: ClientSession | None) -> str:
    """Who the log names: the signed-in contact if they belong to this grant's business, else the link."""
    if viewer is not None and viewer.business_id == grant.business_id:
        return f"contact:{viewer.contact_id}"
    return "link"


def redeem(token: str, ip: str | None, user_agent: str | None, viewer: ClientSession | None = None) -> Redemption:
    """Decide, log and (when allowed) count one download. Raises NotFound for unknown links."""
    loaded = load_grant(token)
    grant, document, resource = loaded.grant, loaded.document, loaded.resource
    actor = actor_of(grant, viewer)
    now = utcnow()
    # Re-check the invoice unless access, once unlocked, is kept whatever happens to it.
    check_invoice = grant.policy == access.AFTER_PAYMENT and not grant.keep_after_refund and document is not None
    decision = access.decide_download(
        grant.state, grant.policy, document.status == rules.PAID if check_invoice and document else None,
        int(grant.downloads or 0), int(grant.download_limit) if grant.download_limit is not None else None,
        expires_of(grant), now,
    )
    reason = decision.reason
    if decision.allowed:
        try:
            _count(grant)
        except Conflict:
            # Someone else's redemption took the last download, or staff closed it just now.
            reason = "limit_reached" if grant.download_limit is not None else "revoked"
    log_entry(grant, now, loaded.retention_days, actor, "download", reason, ip, user_agent_of(user_agent)).save()
    allowed = reason == "ok"
    return Redemption(allowed, reason, _location(grant, resource) if allowed else None, grant.title, loaded.business)
