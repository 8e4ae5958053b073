"""A short hold on one address of one business, put in the same transaction as a write that gives
a contact that address (a self-service address change, a self-registration). The contact email
index (gsi1) cannot refuse a second item with the same key, so two such writes racing for one
address are made to collide on this item instead: one transaction wins, the other fails."""
from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.expressions.condition import Condition

from chalicelib.store.clients import email_pk
from chalicelib.store.table import BaseItem

HOLD_SECONDS = 300  # longer than any request; the contact index answers for the address after that


class AddressHold(BaseItem, discriminator="address_hold"):
    pass


def address_hold(business_id: str, email: str, now: datetime) -> tuple[AddressHold, Condition]:
    """The hold item for `email` and the condition under which it may be put (none live)."""
    hold = AddressHold(f"HOLD#{email_pk(business_id, email)}", "HOLD", expires_at=now + timedelta(seconds=HOLD_SECONDS))
    return hold, AddressHold.pk.does_not_exist() | (AddressHold.expires_at < now)
