"""Claim links: whoever holds one sees the resource until someone claims it; claiming needs
a verified email address, and then the grant belongs to that contact for good.

The claim itself is one transaction whose condition is "nobody has claimed this grant":
of two concurrent claimers exactly one gets it, the other is told it is already claimed.
"""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib import clock
from chalicelib.domain import access
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.tokens import new_id
from chalicelib.services.delivery.access_log import log_entry
from chalicelib.services.delivery.downloads import Loaded, load_grant, user_agent_of
from chalicelib.services.delivery.unlock import count_move, move
from chalicelib.services.identity.client_sign_in import find_business, limit_requests, send_link
from chalicelib.store import tokens
from chalicelib.store.clients import Client, Contact, contacts_with_email, new_client, new_contact
from chalicelib.store.grants import Grant, grant_key, grants_list_pk, token_target
from chalicelib.store.table import iso, transaction

ALREADY_CLAIMED = "This has already been claimed."


@dataclass(frozen=True)
class ClaimPage:
    loaded: Loaded
    claimed: bool


def open_claim(token: str, ip: str | None, user_agent: str | None) -> ClaimPage:
    """What the claim URL shows; every visit is logged as a view of the resource."""
    loaded = load_grant(token, purpose=tokens.CLAIM)
    grant = loaded.grant
    claimed = grant.claimed_by is not None or grant.state != access.LOCKED
    log_entry(grant, clock.now(), loaded.retention_days, "link", "view", "already_claimed" if claimed else "ok",
              ip, user_agent_of(user_agent)).save()
    return ClaimPage(loaded, claimed)


def start_claim(token: str, email: str, ip: str | None, link_base: str) -> None:
    """Email the claimer a one-time link that verifies their address and completes the claim."""
    page = load_grant(token, purpose=tokens.CLAIM)
    grant = page.grant
    if grant.claimed_by is not None or grant.state != access.LOCKED:
        raise Conflict(ALREADY_CLAIMED)
    business = find_business(grant.business_id)
    limit_requests(grant.business_id, email, ip)
    send_link(business, email, f"claim:{token_target(grant)}", link_base, "claim", {"title": grant.title})


def complete_claim(business_id: str, target: str, email: str, ip: str | None = None,
                   user_agent: str | None = None) -> tuple[Contact, Grant]:
    """Hand the grant to the contact with this (verified) address; Conflict if someone was first."""
    key = grant_key(business_id, target)
    if key is None:
        raise NotFound("This claim link is not valid.")
    try:
        grant = Grant.get(key[0], key[1], consistent_read=True)
    except Grant.DoesNotExist as e:
        raise NotFound("This claim link is not valid.") from e
    state = access.state_after_claim(grant.policy, grant.state, grant.claimed_by)
    now = clock.now()
    contact, new_client_item = _claimer(business_id, email, iso(now))
    before = grant.state
    move(grant, state, access.CLAIMED, now, by=access.BY_CLAIM, decided_by=access.BY_CLAIM)
    grant.claimed_by, grant.client_id = contact.contact_id, contact.client_id
    grant.gsi1pk = grants_list_pk(business_id, contact.client_id)  # now in the claimer's client's files
    try:
        with transaction() as tx:
            # The grant's version and "unclaimed" make the claim first-come, first-served.
            tx.save(grant, condition=Grant.claimed_by.does_not_exist())
            if new_client_item is not None:
                tx.save(new_client_item, condition=Client.pk.does_not_exist())
                tx.save(contact, condition=Contact.pk.does_not_exist())
    except Conflict as e:
        raise Conflict(ALREADY_CLAIMED) from e
    count_move(before, grant)
    retention = int(find_business(business_id).log_retention_days)
    log_entry(grant, now, retention, f"contact:{contact.contact_id}", "claim", "ok", ip, user_agent_of(user_agent)).save()
    return contact, grant


def _claimer(business_id: str, email: str, now: str) -> tuple[Contact, Client | None]:
    """The business's contact with this address, or a new client of its own (and its contact).

    Never a new contact of the claim's client: whoever holds a forwarded claim link would
    then see every file of that client.
    """
    known = contacts_with_email(business_id, email)
    if known:
        return known[0], None
    client = new_client(business_id, new_id(), name=email.lower(), email=email.lower(), created_at=now, updated_at=now,
                        notes="Created when this address claimed a claim link.")
    contact = new_contact(business_id, client.client_id, new_id(), name=email.split("@")[0], email=email.lower(),
                          is_primary=True, created_at=now, updated_at=now)
    return contact, client
