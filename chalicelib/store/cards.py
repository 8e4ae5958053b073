"""Saved cards and pre-payments of a client: what Paydrop keeps (never card details).

`CARDS#{bid}#{cid}` holds the Checkout Sessions in setup mode the client started
(`SETUP#{session}`: a webhook must match one), the pre-payments (`PREPAY#{id}`: one per
payment, landing once as credit) and the repeating plans (`PLAN#{id}`, on the scheduler's
agenda under gsi3 `PREPAYDUE#{date}` while active).

`OFFLINESTRIPE#{customer}` is the offline checkout's stand-in for Stripe's own storage of a
customer's cards: local runs without Stripe keys only (the test cards it holds are Stripe's
published test numbers' brand, last four digits and expiry; nothing real).
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.table import BaseItem


def cards_pk(business_id: str, client_id: str) -> str:
    return f"CARDS#{business_id}#{client_id}"


class SetupSession(BaseItem, discriminator="setup_session"):
    session_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    url = UnicodeAttribute()
    return_url = UnicodeAttribute()
    status = UnicodeAttribute(default="open")  # open | complete
    payment_method = UnicodeAttribute(null=True)
    offline = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Prepayment(BaseItem, discriminator="prepayment"):
    """One pre-payment: the client's checkout, or one charge of a repeating plan."""

    prepay_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")  # pending | received | failed
    session_id = UnicodeAttribute(null=True)
    url = UnicodeAttribute(null=True)
    return_url = UnicodeAttribute(null=True)  # the portal tab the client paid from
    offline = BooleanAttribute(default=False)
    plan_id = UnicodeAttribute(null=True)
    payment_intent = UnicodeAttribute(null=True)
    credit_id = UnicodeAttribute(null=True)  # the credit note it became
    refunded = NumberAttribute(null=True)  # Stripe's cumulative amount refunded, taken back from the credit
    disputed = NumberAttribute(null=True)  # the amount a dispute withholds from the credit now
    dispute_state = UnicodeAttribute(null=True)  # open | won | lost
    failure_reason = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class PrepaymentPlan(BaseItem, discriminator="prepayment_plan"):
    """Repeat a pre-payment with the saved card: `times` charges in all, the first by Checkout."""

    plan_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    frequency = UnicodeAttribute()  # weekly | monthly
    times = NumberAttribute()
    charged = NumberAttribute(default=0)  # charges claimed so far (the first is the checkout)
    first_on = UnicodeAttribute(null=True)  # the date of the first payment; charge n falls n periods later
    next_on = UnicodeAttribute(null=True)
    payment_method = UnicodeAttribute(null=True)  # the card the first payment saved (else the default)
    # waiting (first payment) | active | charging (claimed, Stripe being called) | paused | finished | stopped
    status = UnicodeAttribute(default="waiting")
    failure_reason = UnicodeAttribute(null=True)  # why it is paused, in words the client reads
    claimed_at = UnicodeAttribute(null=True)  # when the charge now `charging` was claimed
    skipped = NumberAttribute(null=True)  # periods passed over while paused: charge n falls n + skipped periods on
    stopped_by = UnicodeAttribute(null=True)  # client | staff
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


def plan_due_pk(day: str) -> str:
    return f"PREPAYDUE#{day}"


def new_setup_session(business_id: str, client_id: str, session_id: str, **fields: Any) -> SetupSession:
    return SetupSession(cards_pk(business_id, client_id), f"SETUP#{session_id}", session_id=session_id,
                        business_id=business_id, client_id=client_id, **fields)


def new_prepayment(business_id: str, client_id: str, prepay_id: str, **fields: Any) -> Prepayment:
    return Prepayment(cards_pk(business_id, client_id), f"PREPAY#{prepay_id}", prepay_id=prepay_id,
                      business_id=business_id, client_id=client_id, **fields)


def new_plan(business_id: str, client_id: str, plan_id: str, **fields: Any) -> PrepaymentPlan:
    return PrepaymentPlan(cards_pk(business_id, client_id), f"PLAN#{plan_id}", plan_id=plan_id,
                          business_id=business_id, client_id=client_id, **fields)


def get_setup_session(business_id: str, client_id: str, session_id: str) -> SetupSession | None:
    try:
        return SetupSession.get(cards_pk(business_id, client_id), f"SETUP#{session_id}", consistent_read=True)
    except SetupSession.DoesNotExist:
        return None


def get_prepayment(business_id: str, client_id: str, prepay_id: str) -> Prepayment | None:
    try:
        return Prepayment.get(cards_pk(business_id, client_id), f"PREPAY#{prepay_id}", consistent_read=True)
    except Prepayment.DoesNotExist:
        return None


def get_plan(business_id: str, client_id: str, plan_id: str) -> PrepaymentPlan | None:
    try:
        return PrepaymentPlan.get(cards_pk(business_id, client_id), f"PLAN#{plan_id}", consistent_read=True)
    except PrepaymentPlan.DoesNotExist:
        return None


def client_collection(business_id: str, client_id: str) -> list[BaseItem]:
    """The client's setup sessions, pre-payments and plans (one Query)."""
    return list(BaseItem.query(cards_pk(business_id, client_id), consistent_read=True))


def plans_due_on(day: str) -> list[tuple[str, str]]:
    return [(i.pk, i.sk) for i in BaseItem.gsi3.query(plan_due_pk(day))]


# --- the offline stand-in for Stripe's storage (local runs only) -----------------------


def offline_pk(customer_id: str) -> str:
    return f"OFFLINESTRIPE#{customer_id}"


class OfflineCustomer(BaseItem, discriminator="offline_customer"):
    customer_id = UnicodeAttribute()
    default_payment_method = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


class OfflineCard(BaseItem, discriminator="offline_card"):
    payment_method = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    brand = UnicodeAttribute()
    last4 = UnicodeAttribute()
    exp_month = NumberAttribute()
    exp_year = NumberAttribute()
    created_at = UnicodeAttribute()


def offline_items(customer_id: str) -> list[BaseItem]:
    return list(BaseItem.query(offline_pk(customer_id), consistent_read=True))


class PrepaymentIntent(BaseItem, discriminator="prepayment_intent"):
    """Which pre-payment a PaymentIntent paid: how its disputes (no metadata of ours) find it."""

    business_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    prepay_id = UnicodeAttribute()


def prepayment_intent(payment_intent: str, business_id: str, client_id: str, prepay_id: str) -> PrepaymentIntent:
    return PrepaymentIntent(f"STRIPEPI#{payment_intent}", "PREPAY", business_id=business_id, client_id=client_id,
                            prepay_id=prepay_id)


def prepayment_of_intent(payment_intent: str) -> Prepayment | None:
    try:
        home = PrepaymentIntent.get(f"STRIPEPI#{payment_intent}", "PREPAY", consistent_read=True)
    except PrepaymentIntent.DoesNotExist:
        return None
    return get_prepayment(home.business_id, home.client_id, home.prepay_id)
