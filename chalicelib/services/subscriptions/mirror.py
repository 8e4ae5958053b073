"""Stripe's subscription webhooks applied to the mirror (through the payments worker:
services/payments/stripe_events.py dispatches here).

Stripe does not deliver events in order. Each part of the mirror converges whatever the order:
- the state (status, period, plan) is written only if its `state_key` — the event's `created`,
  then a tie-break (domain/subscriptions.state_key) — is greater than the stored one, in one
  conditional update: an older or repeated event changes nothing;
- the buyer (client and contact, found or made by email: accounts/buyers.contact_for) is set
  once, by the Checkout Session or by the first paid invoice, whichever arrives first — both name
  the same address, so the same contact;
- each paid period is its own item keyed by Stripe's invoice id (periods.py).
When the buyer is known but no subscription event has arrived yet, the subscription is read
from Stripe (the source of truth) and stored with the time it was read, so the files open
without waiting. After every event the files follow the stored state (access.py).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain import subscriptions as rules
from chalicelib.services.accounts.buyers import Person, contact_for
from chalicelib.services.payments import stripe_gateway
from chalicelib.services.payments.cards_gateway import offline
from chalicelib.services.subscriptions import access, gateway, objects, plans
from chalicelib.store import subscriptions as store
from chalicelib.store.businesses import business_pk
from chalicelib.store.clients import Client, client_sk
from chalicelib.store.table import iso

log = logging.getLogger("paydrop.subscriptions")


def apply_subscription(sub: dict[str, Any], created: int, business_id: str | None = None) -> bool:
    """Store this subscription state if it is newer than the stored one; then the files follow."""
    state = objects.state_of(sub, created)
    stored = store.get_subscription(state.subscription_id)
    business = business_id or state.business_id or (stored.business_id if stored else None)
    if not business:
        return False
    fields = {**state.fields, **plans.plan_facts(business, state.fields["price_id"],
                                                 objects.metadata_of(sub).get("product_ids"))}
    key = rules.state_key(created, state.status, fields)
    applied = store.apply_state(state.subscription_id, business, key, fields, iso(clock.now()))
    access.sync(state.subscription_id)  # also after a stale event: a retried event finishes the files
    if applied:  # once per stored state: a stale or repeated event is not announced again
        _announce(state.subscription_id)
    return applied


def _announce(subscription_id: str) -> None:
    """`subscription.updated` for the business's webhook endpoints, with the state as stored."""
    from chalicelib.services.developer import events, payloads

    stored = store.get_subscription(subscription_id)
    if stored is not None:
        events.emit(stored.business_id, "subscription.updated", payloads.subscription(stored))


def newer_than_stored(sub: store.Subscription) -> int:
    """A time for a state read now (Stripe's answer to a change): now, or just after the stored
    state if that is as recent (Stripe's times are whole seconds)."""
    now = int(clock.now().timestamp())
    if not sub.state_at:
        return now
    return max(now, int(datetime.fromisoformat(str(sub.state_at).replace("Z", "+00:00")).timestamp()) + 1)


def subscription_event(event: dict[str, Any]) -> str:
    """customer.subscription.created / updated / deleted / paused / resumed."""
    sub = event["data"]["object"]
    if not objects.metadata_of(sub).get("business_id") and store.get_subscription(str(sub["id"])) is None:
        return "ignored_foreign_subscription"  # not sold through Paydrop (made in Stripe's Dashboard)
    applied = apply_subscription(sub, int(event.get("created") or 0))
    return "subscription_updated" if applied else "subscription_state_not_newer"


def payment_failed(event: dict[str, Any]) -> str:
    """invoice.payment_failed: remembered for the pages; the status (past_due) comes with
    customer.subscription.updated."""
    paid = objects.invoice_of(event["data"]["object"])
    if not paid.subscription_id:
        return "ignored_not_a_subscription"
    business_id = business_of(paid.subscription_id, paid.business_id)
    if business_id is None:
        return "ignored_foreign_subscription"
    store.mark(paid.subscription_id, business_id, iso(clock.now()),
               last_payment_failed_at=objects.when(event.get("created")) or iso(clock.now()))
    return "subscription_payment_failed"


def business_of(subscription_id: str, named: str | None) -> str | None:
    """The business a subscription belongs to: from the event, the mirror, or Stripe's metadata."""
    if named:
        return named
    stored = store.get_subscription(subscription_id)
    if stored is not None:
        return str(stored.business_id)
    if not stripe_gateway.configured():
        return None
    return objects.metadata_of(gateway.retrieve(subscription_id)).get("business_id")


def name_buyer(subscription_id: str, business_id: str, email: str, name: str, customer_id: str | None) -> store.Subscription:
    """The subscription's client and contact (made once per address); reads the subscription from
    Stripe if its state has not arrived yet."""
    contact, _ = contact_for(business_id, Person(email=email, name=name, note="Subscribed through a buy link."))
    now = iso(clock.now())
    store.set_buyer(subscription_id, business_id, contact.client_id, contact.contact_id, customer_id, now)
    if customer_id:
        _keep_customer(business_id, contact.client_id, customer_id)
    mirror = store.get_subscription(subscription_id)
    if mirror is not None and mirror.status is None and stripe_gateway.configured() and not offline():
        apply_subscription(gateway.retrieve(subscription_id), int(clock.now().timestamp()), business_id)
    else:
        access.sync(subscription_id)
    found = store.get_subscription(subscription_id)
    assert found is not None  # set_buyer wrote it
    return found


def _keep_customer(business_id: str, client_id: str, customer_id: str) -> None:
    """The subscriber's Stripe customer becomes the client's (saved cards see the subscription's
    card), unless the client has one already."""
    from chalicelib.domain.errors import Conflict
    from chalicelib.store.table import conditional

    client = Client(business_pk(business_id), client_sk(client_id))
    try:
        conditional(lambda: client.update(actions=[Client.stripe_customer_id.set(customer_id)],
                                          condition=Client.pk.exists() & Client.stripe_customer_id.does_not_exist()),
                    "A customer is stored.")
    except Conflict:
        return


def checkout_completed(session: dict[str, Any]) -> str:
    """A subscription bought through a buy link's Checkout: the buyer, the mirror, and the
    buyer's one-time sign-in link into the portal (once per subscription)."""
    buyer = objects.buyer_of(session)
    if buyer is None:
        log.warning("subscription checkout %s carries no business or subscription; not applied", session.get("id"))
        return "rejected_unknown_session"
    _count_sale(session)
    mirror = name_buyer(buyer.subscription_id, buyer.business_id, buyer.email, buyer.name, buyer.customer_id)
    if buyer.link_id and not mirror.link_id:
        store.mark(buyer.subscription_id, buyer.business_id, iso(clock.now()), link_id=buyer.link_id)
    if store.claim_welcome(buyer.subscription_id, iso(clock.now())):
        _welcome(mirror, buyer.email)
    return "subscription_started"


def _count_sale(session: dict[str, Any]) -> None:
    """The buy link's held units are sold, as for a one-off sale (once: a repeat finds the hold
    complete; a session no hold made, e.g. from Stripe's Dashboard, holds nothing)."""
    from chalicelib.services.selling import sales

    reservation = sales.reservation_of(session)
    if reservation is not None:
        sales.count_sale(reservation)


def _welcome(mirror: store.Subscription, email: str) -> None:
    from chalicelib.services.identity import client_sign_in
    from chalicelib.store.clients import get_contact

    business = client_sign_in.find_business(mirror.business_id)
    contact = get_contact(mirror.business_id, str(mirror.client_id), str(mirror.contact_id))
    if contact is None:
        return
    target = f"contact:{contact.client_id}:{contact.contact_id}:{int(contact.session_generation or 0)}"
    # The portal's own sign-in email (email/sign_in.html): the subscription and its files are there.
    client_sign_in.send_link(business, email, target, settings().public_base_url, "sign_in")
