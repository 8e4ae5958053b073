"""Business profile, branding and per-business counters."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.transactions import TransactWrite

from chalicelib import clock
from chalicelib.domain.errors import Conflict
from chalicelib.store.table import BaseItem, conditional, iso, transaction

T = TypeVar("T")
S = TypeVar("S")


def business_pk(business_id: str) -> str:
    return f"BIZ#{business_id}"


class Business(BaseItem, discriminator="business"):
    business_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    tax_number = UnicodeAttribute(null=True)
    currency = UnicodeAttribute(default="EUR")
    logo_key = UnicodeAttribute(null=True)
    brand_color = UnicodeAttribute(default="#1f4b99")
    accent_color = UnicodeAttribute(default="#f2f5fa")
    invoice_footer = UnicodeAttribute(null=True)
    default_terms = UnicodeAttribute(null=True)
    payment_terms_days = NumberAttribute(default=14)
    log_retention_days = NumberAttribute(default=365)  # access log entries expire (TTL) after this
    # Online payments: whether clients see a Pay button (needs Stripe keys in the cloud),
    # and the defaults new invoices take for part payments.
    stripe_enabled = BooleanAttribute(default=False)
    allow_partial_default = BooleanAttribute(default=False)
    minimum_partial_default = NumberAttribute(default=0)
    quote_auto_convert = BooleanAttribute(default=True)  # an approved quote becomes an invoice at once
    quote_requires_terms = BooleanAttribute(default=False)
    portal_tabs_off = ListAttribute(of=UnicodeAttribute, default=list)  # portal tabs the business turned off
    paper_size = UnicodeAttribute(default="A4")  # of its PDFs: A4 | Letter
    # Payment reminders the scheduler sends (domain/reminders.py); all off until the business opts in.
    reminder_days_before = NumberAttribute(null=True)
    reminder_on_due = BooleanAttribute(default=False)
    reminder_days_after = NumberAttribute(null=True)
    # Self-registration (services/portal/registration.py): off until the business turns it on; the
    # page's token, shown to staff only like portal links (public lookups go through its hash).
    self_registration = BooleanAttribute(default=False)
    registration_token = UnicodeAttribute(null=True)
    # Pre-payments in the portal (services/payments/prepayments.py): off until the business opts in.
    prepayment_enabled = BooleanAttribute(default=False)
    prepayment_minimum = NumberAttribute(default=0)
    time_zone = UnicodeAttribute(default="UTC")  # IANA name: recurring invoices are dated in it
    # How its emails write money and dates (Babel, e.g. "en_GB", "de_DE"); none: en_GB. A client may override it.
    locale = UnicodeAttribute(null=True)
    milestone_invoice_action = UnicodeAttribute(default="send")  # a completed milestone's invoice: send | draft
    # Subscriptions (services/subscriptions): close the files while a payment is overdue, not only when it ends.
    revoke_when_past_due = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Counter(BaseItem, discriminator="counter"):
    value = NumberAttribute(default=0)


def create_business(business_id: str, name: str, **fields: Any) -> Business:
    now = iso(clock.now())
    business = Business(
        business_pk(business_id), "PROFILE",
        business_id=business_id, name=name, created_at=now, updated_at=now, **fields,
    )
    conditional(
        lambda: business.save(condition=Business.pk.does_not_exist()),
        "This business already exists.",
    )
    return business


def get_business(business_id: str) -> Business | None:
    try:
        return Business.get(business_pk(business_id), "PROFILE")
    except Business.DoesNotExist:
        return None


def counter_item(business_id: str, sequence: str) -> Counter:
    """The counter of `sequence`, as stored (value 0 when none was taken yet)."""
    try:
        return Counter.get(business_pk(business_id), f"COUNTER#{sequence}", consistent_read=True)
    except Counter.DoesNotExist:
        return Counter(business_pk(business_id), f"COUNTER#{sequence}", value=0)


def write_numbered(business_id: str, sequence: str, make: Callable[[int], T],
                   write: Callable[[TransactWrite, T], None], settled: Callable[[], S | None],
                   gave_up: str) -> T | S:
    """Write what `make(number)` builds with the business's next number of `sequence`: `write`
    puts it in one transaction that also moves the counter, conditional on the counter as read,
    so the number is taken if and only if the items are written (no gap, never twice).

    When the transaction fails, `settled()` tells whether another run did this work (its answer
    is returned) or only took the number (None: read the counter again, up to ten times, then
    Conflict(gave_up))."""
    for _ in range(10):
        counter = counter_item(business_id, sequence)
        current = int(counter.value or 0)
        made = make(current + 1)
        unchanged = (Counter.value == current) if current else (Counter.value.does_not_exist() | (Counter.value == 0))
        try:
            with transaction() as tx:
                tx.update(counter, actions=[Counter.value.set(current + 1), Counter.item_type.set(Counter)],
                          condition=unchanged)
                write(tx, made)
        except Conflict:
            done = settled()
            if done is not None:
                return done
            continue
        return made
    raise Conflict(gave_up)


def next_number(business_id: str, sequence: str) -> int:
    """Atomically take the next number of `sequence` (invoice, quote) for a business."""
    counter = Counter(business_pk(business_id), f"COUNTER#{sequence}")
    counter.update(actions=[Counter.value.add(1), Counter.item_type.set(Counter)])
    return int(counter.value)
