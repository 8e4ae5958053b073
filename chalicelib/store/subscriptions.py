"""Subscriptions: Paydrop's mirror of a Stripe Subscription, the paid periods it recorded as
invoices, and the business's plans (the recurring prices its buy links sell).

A mirror lives under `SUBSCRIPTION#{stripe id}` (Stripe's ids are unique across the account):
the `MIRROR` item holds the latest state (status, period, next charge, plan) and who bought it,
and one `INVOICE#{stripe invoice id}` item per paid period points at the Paydrop invoice, so
"a subscription with its invoices" is one Query. The parts arrive in any order from different
webhook events and are written by separate update expressions: the state only when its
`state_key` (domain/subscriptions.state_key) is greater than the stored one, the buyer only
once. `gsi1` lists a business's subscriptions, `gsi2` a client's (once the buyer is known).
Plans live with the business (`BIZ#{bid}` / `SUBPLAN#{price id}`).
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.domain.errors import Conflict
from chalicelib.store.businesses import business_pk
from chalicelib.store.table import BaseItem, conditional, index_page, query_page

MIRROR = "MIRROR"


class Subscription(BaseItem, discriminator="subscription"):
    subscription_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    client_id = UnicodeAttribute(null=True)  # set once, by whichever event names the buyer first
    contact_id = UnicodeAttribute(null=True)
    customer_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)  # domain/subscriptions.STATUSES; None until a subscription event
    state_key = UnicodeAttribute(null=True)  # the stored state's order key
    state_at = UnicodeAttribute(null=True)  # when Stripe created the event the state came from
    current_period_start = UnicodeAttribute(null=True)
    current_period_end = UnicodeAttribute(null=True)
    cancel_at_period_end = BooleanAttribute(null=True)
    canceled_at = UnicodeAttribute(null=True)
    item_id = UnicodeAttribute(null=True)  # the subscription item a plan change replaces the price of
    price_id = UnicodeAttribute(null=True)
    stripe_product_id = UnicodeAttribute(null=True)
    product_ids = ListAttribute(of=UnicodeAttribute, null=True)  # Paydrop products whose files it sells
    link_id = UnicodeAttribute(null=True)
    plan_name = UnicodeAttribute(null=True)
    amount = NumberAttribute(null=True)  # per period (unit price × quantity), minor units
    quantity = NumberAttribute(null=True)  # the subscription item's quantity (seats, units)
    currency = UnicodeAttribute(null=True)
    interval = UnicodeAttribute(null=True)  # day, week, month, year
    interval_count = NumberAttribute(null=True)
    last_payment_failed_at = UnicodeAttribute(null=True)
    welcomed_at = UnicodeAttribute(null=True)  # the buyer's sign-in email went out
    created_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


class SubscriptionInvoice(BaseItem, discriminator="subscription_invoice"):
    """One paid period: the Stripe invoice and the PAID Paydrop invoice recorded for it."""

    subscription_id = UnicodeAttribute()
    stripe_invoice_id = UnicodeAttribute()
    doc_id = UnicodeAttribute()
    number = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    period_start = UnicodeAttribute(null=True)
    period_end = UnicodeAttribute(null=True)
    paid_at = UnicodeAttribute()


class Plan(BaseItem, discriminator="subscription_plan"):
    """A recurring price the business sells (registered by its buy link): what a subscriber may switch to."""

    business_id = UnicodeAttribute()
    price_id = UnicodeAttribute()
    name = UnicodeAttribute()
    product_ids = ListAttribute(of=UnicodeAttribute, default=list)
    link_id = UnicodeAttribute(null=True)
    stripe_product_id = UnicodeAttribute(null=True)
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    interval = UnicodeAttribute()
    interval_count = NumberAttribute(default=1)
    active = BooleanAttribute(default=True)
    created_at = UnicodeAttribute()


def subscription_pk(subscription_id: str) -> str:
    return f"SUBSCRIPTION#{subscription_id}"


def business_list_pk(business_id: str) -> str:
    return f"BIZ#{business_id}#SUBSCRIPTIONS"


def client_list_pk(business_id: str, client_id: str) -> str:
    return f"BIZ#{business_id}#CLIENT#{client_id}#SUBSCRIPTIONS"


def _mirror(subscription_id: str) -> Subscription:
    return Subscription(subscription_pk(subscription_id), MIRROR)


def _ours(business_id: str) -> Any:
    """A mirror is created by its first event and never changes business."""
    return Subscription.business_id.does_not_exist() | (Subscription.business_id == business_id)


def _opening(subscription_id: str, business_id: str, now: str) -> list[Any]:
    """What every write sets if the mirror is new (whichever event comes first)."""
    s = Subscription
    return [s.item_type.set(Subscription), s.subscription_id.set(subscription_id), s.business_id.set(business_id),
            s.created_at.set(s.created_at | now), s.updated_at.set(now),
            s.gsi1pk.set(business_list_pk(business_id)), s.gsi1sk.set(s.gsi1sk | f"{now}#{subscription_id}")]


def apply_state(subscription_id: str, business_id: str, key: str, fields: dict[str, Any], now: str) -> bool:
    """Write a subscription state if it is newer (greater `key`) than the stored one; False if not."""
    s = Subscription
    actions = [*_opening(subscription_id, business_id, now), s.state_key.set(key),
               *(getattr(s, name).set(value) if value is not None else getattr(s, name).remove()
                 for name, value in fields.items())]
    newer = s.state_key.does_not_exist() | (s.state_key < key)
    try:
        conditional(lambda: _mirror(subscription_id).update(actions=actions, condition=_ours(business_id) & newer),
                    "An equal or newer state is stored.")
    except Conflict:
        return False
    return True


def set_buyer(subscription_id: str, business_id: str, client_id: str, contact_id: str, customer_id: str | None,
              now: str) -> None:
    """Name the buyer, once: a later event naming them again changes nothing."""
    s = Subscription
    actions = [*_opening(subscription_id, business_id, now), s.client_id.set(client_id), s.contact_id.set(contact_id),
               s.gsi2pk.set(client_list_pk(business_id, client_id)), s.gsi2sk.set(s.gsi1sk | f"{now}#{subscription_id}")]
    if customer_id:
        actions.append(s.customer_id.set(customer_id))
    unnamed = s.client_id.does_not_exist()
    try:
        conditional(lambda: _mirror(subscription_id).update(actions=actions, condition=_ours(business_id) & unnamed),
                    "The buyer is known.")
    except Conflict:
        return


def mark(subscription_id: str, business_id: str, now: str, **fields: Any) -> None:
    """Set plain facts on an existing-or-new mirror (a failed payment's time)."""
    s = Subscription
    actions = [*_opening(subscription_id, business_id, now), *(getattr(s, k).set(v) for k, v in fields.items())]
    conditional(lambda: _mirror(subscription_id).update(actions=actions, condition=_ours(business_id)),
                "Another business's subscription.")


def claim_welcome(subscription_id: str, now: str) -> bool:
    """True once per subscription: the buyer's sign-in email is sent by whoever claims it."""
    s = Subscription
    try:
        conditional(lambda: _mirror(subscription_id).update(actions=[s.welcomed_at.set(now)],
                                                            condition=s.pk.exists() & s.welcomed_at.does_not_exist()),
                    "Welcomed already.")
    except Conflict:
        return False
    return True


def get_subscription(subscription_id: str) -> Subscription | None:
    try:
        return Subscription.get(subscription_pk(subscription_id), MIRROR, consistent_read=True)
    except Subscription.DoesNotExist:
        return None


def load_subscription(subscription_id: str) -> tuple[Subscription | None, list[SubscriptionInvoice]]:
    """The mirror and its paid periods (oldest first), in one Query."""
    items = list(BaseItem.query(subscription_pk(subscription_id), consistent_read=True))
    mirror = next((i for i in items if isinstance(i, Subscription)), None)
    paid = sorted((i for i in items if isinstance(i, SubscriptionInvoice)), key=lambda i: i.paid_at)
    return mirror, paid


def invoice_sk(stripe_invoice_id: str) -> str:
    return f"INVOICE#{stripe_invoice_id}"


def get_period(subscription_id: str, stripe_invoice_id: str) -> SubscriptionInvoice | None:
    try:
        return SubscriptionInvoice.get(subscription_pk(subscription_id), invoice_sk(stripe_invoice_id),
                                       consistent_read=True)
    except SubscriptionInvoice.DoesNotExist:
        return None


def new_period(subscription_id: str, stripe_invoice_id: str, **fields: Any) -> SubscriptionInvoice:
    return SubscriptionInvoice(subscription_pk(subscription_id), invoice_sk(stripe_invoice_id),
                               subscription_id=subscription_id, stripe_invoice_id=stripe_invoice_id, **fields)


def business_subscriptions(business_id: str, limit: int, cursor: str | None) -> tuple[list[Subscription], str | None]:
    return index_page(Subscription, "gsi1", business_list_pk(business_id), limit, cursor, newest_first=True)


def client_subscriptions(business_id: str, client_id: str, limit: int,
                         cursor: str | None) -> tuple[list[Subscription], str | None]:
    return index_page(Subscription, "gsi2", client_list_pk(business_id, client_id), limit, cursor, newest_first=True)


# --- plans ------------------------------------------------------------------------------


def plan_sk(price_id: str) -> str:
    return f"SUBPLAN#{price_id}"


def save_plan(business_id: str, price_id: str, **fields: Any) -> Plan:
    plan = Plan(business_pk(business_id), plan_sk(price_id), business_id=business_id, price_id=price_id, **fields)
    plan.save()
    return plan


def get_plan(business_id: str, price_id: str) -> Plan | None:
    try:
        return Plan.get(business_pk(business_id), plan_sk(price_id))
    except Plan.DoesNotExist:
        return None


def plans_of(business_id: str) -> list[Plan]:
    found, _ = query_page(Plan, business_pk(business_id), "SUBPLAN#", 100, None)
    return found
