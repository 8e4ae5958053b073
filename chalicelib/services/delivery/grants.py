"""Grants, staff side: who can access what (per invoice, client and resource), and release,
lock, revoke or hand back to the payment rule by hand (one grant, or all of a resource's).
Every staff action is written to the access log with the staff member as actor."""
from __future__ import annotations

from datetime import datetime

from chalicelib import clock
from chalicelib.domain import access
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import NotFound
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts.businesses import business_of
from chalicelib.services.accounts.clients import get_client
from chalicelib.services.billing.documents import get_document
from chalicelib.services.delivery.access_log import log_entry
from chalicelib.services.delivery.resources import get_resource
from chalicelib.services.delivery.unlock import count_move, grants_of, move, payment_facts
from chalicelib.store import access_log
from chalicelib.store.documents import get_document as get_document_item
from chalicelib.store.documents import load_collection
from chalicelib.store.grants import Grant, grants_of_client, grants_of_resource
from chalicelib.store.table import conditional

STAFF_REASONS = {"release": access.RELEASED_BY_STAFF, "lock": access.LOCKED_BY_STAFF, "revoke": access.REVOKED_BY_STAFF,
                 "follow_payment": access.HANDED_TO_PAYMENT}
BULK_ACTIONS = ("release", "lock", "revoke")


def check_action(action: str, bulk: bool = False) -> None:
    if action not in (BULK_ACTIONS if bulk else STAFF_REASONS):
        words = "release, lock or revoke" if bulk else "release, lock, revoke or follow_payment"
        raise NotFound(f"Unknown action; use {words}.", field="action")


def invoice_grants(principal: Principal, doc_id: str) -> list[Grant]:
    """Who can access what on this invoice (staff view, every state)."""
    get_document(principal, rules.INVOICE, doc_id)
    _, items = load_collection(principal.business_id, doc_id)
    return grants_of(items)


def client_grants(principal: Principal, client_id: str) -> list[Grant]:
    """Everything this client can (or could) access, through any attachment."""
    get_client(principal, client_id)
    return grants_of_client(principal.business_id, client_id)


def resource_grants(principal: Principal, resource_id: str) -> list[Grant]:
    get_resource(principal, resource_id)
    return grants_of_resource(principal.business_id, resource_id)


def _apply(principal: Principal, grants: list[Grant], action: str, reason: str | None = None) -> list[Grant]:
    """Move each grant by `action`, save it only if nobody changed it meanwhile, and log it.
    Staff decide from then on (payments no longer move it) until they hand it back with
    `follow_payment`, which puts it where the invoice's payment says now."""
    now = clock.now()
    retention = int(business_of(principal).log_retention_days or access_log.DEFAULT_RETENTION_DAYS)
    actor = f"staff:{principal.email or principal.user_id}"
    for grant in grants:
        before = grant.state
        if action == "follow_payment":
            _hand_back_to_payment(grant, now, actor)
        else:
            move(grant, access.state_after_staff_action(grant.state, action), reason or STAFF_REASONS[action], now,
                 by=actor, decided_by=access.BY_STAFF)
        conditional(grant.save, "This grant changed at the same time; reload and retry.")
        count_move(before, grant)
        log_entry(grant, now, retention, actor, action, "ok").save()
    return grants


def _hand_back_to_payment(grant: Grant, now: datetime, actor: str) -> None:
    if grant.subscription_id:  # a subscription's file: back to what the subscription's status says
        from chalicelib.services.subscriptions.access import state_now

        move(grant, state_now(grant), access.HANDED_TO_PAYMENT, now, by=actor, decided_by=access.BY_PAYMENT)
        return
    document = get_document_item(grant.business_id, str(grant.doc_id))
    payment = payment_facts(document)
    if payment is None:
        raise NotFound("The invoice this file hangs on is gone.", field="grant_id")
    state = access.state_by_payment(str(grant.refund_rule), grant.state, payment)
    move(grant, state, access.HANDED_TO_PAYMENT, now, by=actor, decided_by=access.BY_PAYMENT)


def act_on_grant(principal: Principal, grant: Grant, action: str) -> Grant:
    access.check_staff_may_act(grant.policy, grant.reason, grant.claimed_by)
    if action == "follow_payment":
        access.check_follow_payment(grant.policy, grant.doc_id or grant.subscription_id)
    else:
        access.state_after_staff_action(grant.state, action)  # refuse before writing anything
    return _apply(principal, [grant], action)[0]


def act_on_invoice_grant(principal: Principal, doc_id: str, grant_id: str, action: str) -> Grant:
    grant = next((g for g in invoice_grants(principal, doc_id) if g.grant_id == grant_id), None)
    if grant is None:
        raise NotFound("Grant not found.", field="grant_id")
    return act_on_grant(principal, grant, action)


def act_on_resource_grant(principal: Principal, resource_id: str, grant_id: str, action: str) -> Grant:
    grant = next((g for g in resource_grants(principal, resource_id) if g.grant_id == grant_id), None)
    if grant is None:
        raise NotFound("Grant not found.", field="grant_id")
    return act_on_grant(principal, _fresh(grant), action)


def _fresh(grant: Grant) -> Grant:
    """The index is eventually consistent: act on the grant as stored now."""
    try:
        return Grant.get(grant.pk, grant.sk, consistent_read=True)
    except Grant.DoesNotExist as e:
        raise NotFound("Grant not found.", field="grant_id") from e


def act_on_resource(principal: Principal, resource_id: str, action: str) -> list[Grant]:
    """Release, lock or revoke every grant of a resource that the action applies to."""
    chosen = [
        fresh for g in resource_grants(principal, resource_id)
        if access.bulk_action_applies(action, (fresh := _fresh(g)).policy, fresh.state, fresh.reason, fresh.claimed_by)
    ]
    return _apply(principal, chosen, action)


def close_detached(principal: Principal, grants: list[Grant]) -> list[Grant]:
    """Revoke what a detached attachment gave (the grants stay, with their history, for the record)."""
    open_ones = [_fresh(g) for g in grants]
    return _apply(principal, [g for g in open_ones if g.reason != access.DETACHED], "revoke", access.DETACHED)
