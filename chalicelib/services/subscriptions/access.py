"""The files a subscription sells: one grant per `after_payment` file of the plan's products,
kept with the buyer's client (`FILES#…`, no invoice) and moved by the subscription's status.

The same machinery as unlock after payment (services/delivery/unlock.py): grants start in the
policy's first state, move through `unlock.move` (history, access clock) and are counted by
`unlock.count_move` (metrics); only grants the payment rule controls
(`access.controlled_by_payment`: decided by payment, not by staff, not detached) are moved, so a
file staff revoked, released or locked stays as staff left it, whatever the subscription does
later. A move is also written to the access log with `subscription` as its actor.

It is a function of the stored mirror, not of the event that triggered it, so running it after
every event, twice, or late gives the same grants; a pass that raced a newer state runs again.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from chalicelib import clock
from chalicelib.domain import access
from chalicelib.domain import subscriptions as rules
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.services.delivery.access_log import log_entry
from chalicelib.services.delivery.file_notices import file_available
from chalicelib.services.delivery.unlock import count_move, file_token_item, move, new_grant_for
from chalicelib.store import access_log, tokens
from chalicelib.store import subscriptions as store
from chalicelib.store.attachments import Attachment, attachments_of_target
from chalicelib.store.businesses import get_business
from chalicelib.store.grants import Grant, client_files_pk, grants_of_client
from chalicelib.store.resources import READY, get_resource
from chalicelib.store.table import conditional, transaction

log = logging.getLogger("paydrop.subscriptions")
ACTOR = "subscription"


def grant_id(attachment_id: str, subscription_id: str) -> str:
    """The same id every time: a subscription gives each file once."""
    return hashlib.sha256(f"subscription:{attachment_id}:{subscription_id}".encode()).hexdigest()[:20]


def sync(subscription_id: str, passes: int = 3) -> int:
    """Give and move the subscription's grants to what its stored status says; returns how many changed."""
    changed = 0
    for _ in range(passes):
        mirror = store.get_subscription(subscription_id)
        if mirror is None or not mirror.client_id or not mirror.status:
            return changed
        try:
            changed += _sync(mirror)
        except Conflict:
            continue  # a grant changed meanwhile (a download, staff): read everything again
        after = store.get_subscription(subscription_id)
        if after is None or after.state_key == mirror.state_key:
            return changed
    return changed


def follow_past_due_rule(business_id: str) -> int:
    """The business changed whether past due closes the files: apply it now to its subscriptions
    already past due (the others follow it at their next event). Returns how many grants moved."""
    changed, cursor = 0, None
    while True:
        page, cursor = store.business_subscriptions(business_id, 100, cursor)
        changed += sum(sync(s.subscription_id) for s in page if s.status == rules.PAST_DUE)
        if not cursor:
            return changed


def _sync(mirror: store.Subscription) -> int:
    business = get_business(mirror.business_id)
    revoke_when_past_due = bool(business and business.revoke_when_past_due)
    retention = int(business.log_retention_days or access_log.DEFAULT_RETENTION_DAYS) if business else None
    now, changed = clock.now(), 0
    held = {g.grant_id: g for g in grants_of_client(mirror.business_id, str(mirror.client_id))
            if g.subscription_id == mirror.subscription_id}
    offered: set[str] = set()
    for product_id in mirror.product_ids or []:
        for attachment in attachments_of_target(mirror.business_id, "product", str(product_id)):
            if attachment.policy != access.AFTER_PAYMENT:
                continue
            gid = grant_id(attachment.attachment_id, mirror.subscription_id)
            offered.add(gid)
            grant = _fresh(mirror, gid) if gid in held else _give(mirror, attachment, gid, now)
            if grant is not None:
                changed += _follow(grant, str(mirror.status), revoke_when_past_due, now, retention)
    for gid in set(held) - offered:  # a plan change left this product behind: as if it ended
        grant = _fresh(mirror, gid)
        if grant is not None:
            changed += _follow(grant, rules.CANCELED, revoke_when_past_due, now, retention)
    return changed


def _fresh(mirror: store.Subscription, gid: str) -> Grant | None:
    try:  # the client index is eventually consistent: act on the grant as stored
        return Grant.get(client_files_pk(mirror.business_id, str(mirror.client_id)), f"GRANT#{gid}", consistent_read=True)
    except Grant.DoesNotExist:
        return None


def _give(mirror: store.Subscription, attachment: Attachment, gid: str, now: datetime) -> Grant | None:
    """A new grant in the policy's first state (locked), with its download token; the existing one
    if another worker gave it first."""
    resource = get_resource(mirror.business_id, attachment.resource_id)
    if resource is None or resource.status != READY:
        return None
    grant = new_grant_for(attachment, resource, str(mirror.client_id), None, now, grant_id=gid)
    grant.subscription_id = mirror.subscription_id
    try:
        with transaction() as tx:
            tx.save(grant, condition=Grant.pk.does_not_exist())
            tx.save(file_token_item(grant), condition=tokens.Token.pk.does_not_exist())
    except Conflict:
        return _fresh(mirror, gid)
    file_available(grant)  # open at once (visible): the client is told, once per file
    return _fresh(mirror, gid)


def _follow(grant: Grant, status: str, revoke_when_past_due: bool, now: datetime, retention: int | None) -> int:
    """Move one grant by the subscription rule, unless staff (or a detach) decided it."""
    if not access.controlled_by_payment(grant.policy, grant.decided_by, grant.reason):
        return 0
    state = rules.grant_state(status, revoke_when_past_due, grant.state)
    if state == grant.state:
        return 0
    before = grant.state
    move(grant, state, rules.grant_reason(status), now, by=ACTOR)
    conditional(grant.save, "A grant changed at the same time.")
    count_move(before, grant)
    action = "release" if state == access.AVAILABLE else "revoke" if state == access.REVOKED else "lock"
    log_entry(grant, now, retention, ACTOR, action, "ok").save()
    log.info("subscription grant %s: %s -> %s (%s)", grant.grant_id, before, state, status)
    return 1


def state_now(grant: Grant) -> str:
    """The state the subscription's stored status gives this grant (staff handing it back)."""
    mirror = store.get_subscription(str(grant.subscription_id))
    if mirror is None or not mirror.status:
        raise NotFound("The subscription this file comes with is gone.", field="grant_id")
    business = get_business(grant.business_id)
    status = str(mirror.status) if grant.target_id in (mirror.product_ids or []) else rules.CANCELED
    return rules.grant_state(status, bool(business and business.revoke_when_past_due), grant.state)
