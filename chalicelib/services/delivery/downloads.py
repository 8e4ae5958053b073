"""Redeeming a download link: decide now, log it, then hand out a presigned URL (≤ 60 s).

Reads: the token item (GetItem), then one BatchGet: the grant, its invoice (if it hangs on
one), the resource's live version, the business's log retention, the signed-in viewer's
contact (is the session still current?) and this client's recent-download marker. A claimed
grant whose claimer is not the viewer adds one GetItem (is the claimer still a contact?).
Then one transaction counts the redemption (a restart only checks the grant is still
available) and one PutItem logs the attempt.

Counting: one download per client per grant per 10 minutes (`store/recent_downloads.py`).
The presigned URL lives 60 s, so a download interrupted and restarted comes back here, is
decided again like any other request, and is logged — but it takes no second download from
the limit.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib import clock, metrics
from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain import access
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.tokens import looks_like_token
from chalicelib.services.delivery.access_log import log_entry
from chalicelib.services.delivery.file_labels import expires_of
from chalicelib.services.delivery.unlock import payment_facts
from chalicelib.services.developer import events, payloads
from chalicelib.services.identity import contact_access
from chalicelib.services.identity.client_sessions import ClientSession
from chalicelib.store import tokens
from chalicelib.store.businesses import Business, business_pk
from chalicelib.store.clients import Contact, get_contact
from chalicelib.store.documents import Document
from chalicelib.store.grants import Grant, grant_key
from chalicelib.store.recent_downloads import WINDOW_SECONDS, RecentDownload, is_fresh, new_recent, recent_key
from chalicelib.store.resources import Resource, resource_sk
from chalicelib.store.table import BaseItem, transaction

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
    viewer: Contact | None = None  # the signed-in contact, only if their session is current
    recent: dict[str, RecentDownload] = field(default_factory=dict)  # by client key

    @property
    def retention_days(self) -> int | None:
        return int(self.business.log_retention_days) if self.business else None


def anonymous_client(ip: str | None, user_agent: str | None) -> str:
    """Who is downloading, when nobody is signed in: source IP + user agent, hashed.

    The download link itself cannot say: it belongs to the grant, so every contact of the
    client (and anyone they forward it to) holds the same one, and counting per link would let
    all of them restart for free. IP + user agent is what stays the same when one browser
    retries a broken download; it is hashed because the marker needs only equality, not the
    address (the access log keeps the IP for its retention). Two people behind one NAT with
    the same browser build are one client for 10 minutes: an undercount, bounded by the window.
    """
    digest = hashlib.sha256(f"{ip or ''}\n{user_agent or ''}".encode()).hexdigest()[:32]
    return f"anon:{digest}"


def contact_client(contact_id: str) -> str:
    # A signed-in contact is one client across networks (a phone moving from Wi-Fi to mobile
    # data mid-download keeps its identity), so the session wins over IP + user agent.
    return f"contact:{contact_id}"


def load_grant(token: str, purpose: str = tokens.FILE_ACCESS, viewer: ClientSession | None = None,
               anonymous: str | None = None) -> Loaded:
    """The grant behind a download (or claim) token, with its invoice, the resource's live version,
    the business's log retention, the viewer's contact and the recent-download markers: one
    BatchGet after the token's GetItem. Raises NotFound."""
    if not looks_like_token(token):
        raise NotFound(NOT_FOUND)
    item = tokens.find_token(token, purpose)
    key = grant_key(item.business_id, item.target_id) if item else None
    if item is None or key is None:
        raise NotFound(NOT_FOUND)
    bid = item.business_id
    grant_pk, grant_sk, resource_id, doc_id = key
    grant_id = grant_sk.removeprefix("GRANT#")
    keys = [(grant_pk, grant_sk), (business_pk(bid), resource_sk(resource_id)), (business_pk(bid), "PROFILE")]
    if doc_id:
        keys.append((grant_pk, "META"))
    viewing = viewer if viewer is not None and viewer.business_id == bid else None
    clients = [anonymous] if anonymous else []
    if viewing is not None:
        keys.append(contact_access.contact_key(bid, viewing.client_id, viewing.contact_id))
        clients.append(contact_client(viewing.contact_id))
    keys += [recent_key(bid, grant_id, c) for c in clients]
    found = {(i.pk, i.sk): i for i in BaseItem.batch_get(keys)}
    grant, resource, business = (found.get(k) for k in keys[:3])
    document = found.get(keys[3]) if doc_id else None
    if not isinstance(grant, Grant) or (doc_id and not isinstance(document, Document)):
        raise NotFound(NOT_FOUND)
    if purpose == tokens.FILE_ACCESS and grant.file_token != token:
        raise NotFound(NOT_FOUND)
    contact = found.get(contact_access.contact_key(bid, viewing.client_id, viewing.contact_id)) if viewing else None
    current = contact if isinstance(contact, Contact) and viewing and contact_access.session_is_current(contact, viewing) \
        else None
    recent = {c: m for c in clients if isinstance(m := found.get(recent_key(bid, grant_id, c)), RecentDownload)}
    return Loaded(grant, document if isinstance(document, Document) else None,
                  resource if isinstance(resource, Resource) else None,
                  business if isinstance(business, Business) else None, current, recent)


def user_agent_of(header: str | None) -> str | None:
    return (header or "")[:MAX_USER_AGENT] or None


def _count(grant: Grant, client: str, now: int) -> None:
    """Count one redemption — only while the grant is still available and under its limit, and
    only if this client has no counted download in the window (else it is a restart)."""
    condition = Grant.state == access.AVAILABLE
    if grant.download_limit is not None:
        condition &= Grant.downloads < int(grant.download_limit)
    with transaction() as tx:
        tx.update(grant, actions=[Grant.downloads.add(1)], condition=condition, add_version_condition=False)
        tx.save(new_recent(grant.business_id, grant.grant_id, client, now),
                condition=RecentDownload.pk.does_not_exist() | (RecentDownload.counted_at <= now - WINDOW_SECONDS))


def _restart(grant: Grant, seen: RecentDownload) -> None:
    """A restart inside the window: nothing to count, but the grant must still be available now."""
    with transaction() as tx:
        tx.condition_check(Grant, grant.pk, grant.sk, condition=Grant.state == access.AVAILABLE)
        tx.update(seen, actions=[RecentDownload.restarts.add(1)],
                  condition=RecentDownload.counted_at == int(seen.counted_at))


def _reload(grant: Grant, client: str) -> tuple[Grant | None, RecentDownload | None]:
    """Strongly consistent re-reads after a lost race (only then)."""
    try:
        fresh: Grant | None = Grant.get(grant.pk, grant.sk, consistent_read=True)
    except Grant.DoesNotExist:
        fresh = None
    try:
        seen: RecentDownload | None = RecentDownload.get(*recent_key(grant.business_id, grant.grant_id, client),
                                                         consistent_read=True)
    except RecentDownload.DoesNotExist:
        seen = None
    return fresh, seen


def _decide_and_count(loaded: Loaded, client: str, now: datetime) -> str:
    """The decision for this request, made on what was just read, and made again (once) on
    strongly consistent reads if the write found the grant or the marker changed meanwhile."""
    grant: Grant | None = loaded.grant
    seen = loaded.recent.get(client)
    epoch = int(now.timestamp())
    for attempt in range(2):
        if grant is None:
            return "revoked"
        restart = is_fresh(seen, epoch)
        document = loaded.document
        # A grant the payment rule controls is judged by what the invoice says now.
        state = access.effective_state(grant.policy, grant.decided_by, grant.reason, grant.state,
                                       str(grant.refund_rule), payment_facts(document))
        decision = access.decide_download(
            state, grant.policy, int(grant.downloads or 0),
            # A restart inside the window took its download already: the limit cannot refuse it.
            None if restart or grant.download_limit is None else int(grant.download_limit),
            expires_of(grant), now,
        )
        if not decision.allowed:
            return decision.reason
        try:
            if restart and seen is not None:
                _restart(grant, seen)
            else:
                _count(grant, client, epoch)
            return "ok"
        except Conflict:
            if attempt:
                break
            # Another redemption took the last download, staff closed the grant, or this same
            # client's parallel request counted first (then this one is a restart).
            grant, seen = _reload(grant, client)
    return "limit_reached" if grant is not None and grant.download_limit is not None else "revoked"


def _location(grant: Grant, resource: Resource | None) -> str:
    """Where the download goes: the resource's live version (new versions reach every holder)."""
    live = resource or grant
    if grant.kind == "link":
        return str(live.url)
    filename = (live.filename or "file").replace('"', "")
    params = {"Bucket": settings().files_bucket, "Key": live.s3_key,
              "ResponseContentDisposition": f'attachment; filename="{filename}"'}
    if resource is not None and resource.content_type:  # the type its bytes show, not the one declared
        params["ResponseContentType"] = resource.content_type
    return str(s3().generate_presigned_url("get_object", ExpiresIn=settings().download_ttl_seconds, Params=params))


def _claimer_is_current(loaded: Loaded) -> bool:
    """A claimed grant is its claimer's: once that contact is removed, its link is dead too."""
    grant = loaded.grant
    if grant.claimed_by is None or (loaded.viewer is not None and loaded.viewer.contact_id == grant.claimed_by):
        return True
    return get_contact(grant.business_id, grant.client_id, str(grant.claimed_by)) is not None


def redeem(token: str, ip: str | None, user_agent: str | None, viewer: ClientSession | None = None) -> Redemption:
    """Decide, log and (when allowed, once per client per window) count one download.
    Raises NotFound for unknown links and for a removed claimer's."""
    agent = user_agent_of(user_agent)
    anonymous = anonymous_client(ip, agent)
    loaded = load_grant(token, viewer=viewer, anonymous=anonymous)
    grant = loaded.grant
    # Only a current session names the actor: an ended one is just someone holding the link.
    actor = f"contact:{loaded.viewer.contact_id}" if loaded.viewer is not None else "link"
    client = contact_client(loaded.viewer.contact_id) if loaded.viewer is not None else anonymous
    now = clock.now()
    if not _claimer_is_current(loaded):
        log_entry(grant, now, loaded.retention_days, actor, "download", "claimer_removed", ip, agent).save()
        metrics.count(metrics.DOWNLOADS_DENIED)
        raise NotFound(NOT_FOUND)
    reason = _decide_and_count(loaded, client, now)
    log_entry(grant, now, loaded.retention_days, actor, "download", reason, ip, agent).save()
    allowed = reason == "ok"
    metrics.count(metrics.DOWNLOADS_ALLOWED if allowed else metrics.DOWNLOADS_DENIED)
    if allowed:
        events.emit(grant.business_id, "resource.downloaded", payloads.download(grant, actor.split(":")[0], now))
    return Redemption(allowed, reason, _location(grant, loaded.resource) if allowed else None, grant.title,
                      loaded.business)
