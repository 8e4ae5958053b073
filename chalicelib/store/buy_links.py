"""Buy links and what they hold: `BIZ#{business}` / `BUYLINK#{id}` is the link (its stock is
a counter decremented conditionally, never below 0); `BUYLINK#{business}#{id}` holds one
`HOLD#{hold}` reservation per Buy click (its Checkout Session recorded on it once created) and
one `BUYER#{email}` tally per buyer. An open reservation is on the scheduler's agenda (gsi3,
`BUYHOLD#{day it ends}`), so units a checkout never gave back are found without a Scan."""
from __future__ import annotations

import contextlib
from typing import Any

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.domain.errors import Conflict
from chalicelib.store.businesses import business_pk
from chalicelib.store.table import BaseItem, conditional, query_page, transaction

OPEN, COMPLETE, RELEASED = "open", "complete", "released"  # a reservation's states


class BuyLink(BaseItem, discriminator="buy_link"):
    link_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    token = UnicodeAttribute()  # the page's token (the Token item is keyed by its hash)
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    product_ids = ListAttribute(of=UnicodeAttribute)
    mode = UnicodeAttribute(default="payment")
    interval = UnicodeAttribute(null=True)
    min_quantity = NumberAttribute(default=1)
    max_quantity = NumberAttribute(default=1)
    adjustable_quantity = BooleanAttribute(default=False)
    allow_promotion_codes = BooleanAttribute(default=False)
    stock = NumberAttribute(null=True)  # units left; absent: unlimited
    per_buyer_limit = NumberAttribute(null=True)
    ends_at = UnicodeAttribute(null=True)  # ISO; the page closes then
    paused = BooleanAttribute(default=False)
    sold = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    # A recurring link's Stripe price (services/selling/recurring.py): its id, the version it was
    # made for (the idempotency key's) and what it was made of (a change makes a new version).
    price_id = UnicodeAttribute(null=True)
    price_version = NumberAttribute(null=True)
    price_key = UnicodeAttribute(null=True)


class Reservation(BaseItem, discriminator="buy_reservation"):
    """Units held for one Buy click's Checkout Session until it completes or expires."""

    business_id = UnicodeAttribute()
    link_id = UnicodeAttribute()
    hold_id = UnicodeAttribute()
    session_id = UnicodeAttribute(null=True)  # set once the Checkout Session exists
    mode = UnicodeAttribute(default="payment")  # the link's when bought: payment or subscription
    tallied = BooleanAttribute(default=False)  # counted in the buyer's tally (the link had a limit)
    email = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    quantity = NumberAttribute()
    amount = NumberAttribute()  # minor units: what the invoice will say
    currency = UnicodeAttribute()
    state = UnicodeAttribute(default=OPEN)
    url = UnicodeAttribute(null=True)
    return_url = UnicodeAttribute(null=True)
    offline = BooleanAttribute(default=False)
    reserved_until = UnicodeAttribute()
    lines_json = UnicodeAttribute()  # the invoice's lines as sold (name, price, tax, quantity)
    doc_id = UnicodeAttribute(null=True)  # the paid invoice, once recorded
    emailed_at = UnicodeAttribute(null=True)  # the receipt went (claimed before sending: once)
    client_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    def serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        self.gsi3pk, self.gsi3sk = hold_keys(self)
        return super().serialize(null_check=null_check)


def hold_keys(reservation: Reservation) -> tuple[str | None, str | None]:
    """An open reservation under the day its hold ends (gsi3); an ended one leaves the agenda."""
    if reservation.state != OPEN:
        return None, None
    until = str(reservation.reserved_until)
    return hold_day_pk(until[:10]), f"{until}#{reservation.business_id}#{reservation.link_id}#{reservation.hold_id}"


def hold_day_pk(day: str) -> str:
    return f"BUYHOLD#{day}"


class BuyerTally(BaseItem, discriminator="buy_buyer"):
    """Units one email address holds of a link: bought plus reserved in open checkouts."""

    quantity = NumberAttribute(default=0)


def link_sk(link_id: str) -> str:
    return f"BUYLINK#{link_id}"


def holdings_pk(business_id: str, link_id: str) -> str:
    return f"BUYLINK#{business_id}#{link_id}"


def reservation_sk(hold_id: str) -> str:
    return f"HOLD#{hold_id}"


def new_link(business_id: str, link_id: str, **fields: Any) -> BuyLink:
    return BuyLink(business_pk(business_id), link_sk(link_id), link_id=link_id, business_id=business_id, **fields)


def get_link(business_id: str, link_id: str, consistent: bool = False) -> BuyLink | None:
    try:
        return BuyLink.get(business_pk(business_id), link_sk(link_id), consistent_read=consistent)
    except BuyLink.DoesNotExist:
        return None


def list_links(business_id: str, limit: int, cursor: str | None) -> tuple[list[BuyLink], str | None]:
    return query_page(BuyLink, business_pk(business_id), "BUYLINK#", limit, cursor, newest_first=True)


def put_back_stock(link: BuyLink, quantity: int) -> None:
    """Units of an ended checkout come back (a link made unlimited since stays unlimited)."""
    with contextlib.suppress(Conflict):
        conditional(lambda: link.update(actions=[BuyLink.stock.add(quantity)], condition=BuyLink.stock.exists()),
                    "Unlimited now.")


def buyer_quantity(business_id: str, link_id: str, email: str) -> int:
    try:
        return int(BuyerTally.get(holdings_pk(business_id, link_id), f"BUYER#{email}", consistent_read=True).quantity)
    except BuyerTally.DoesNotExist:
        return 0


def give_back_buyer_room(business_id: str, link_id: str, email: str, quantity: int) -> None:
    tally = BuyerTally(holdings_pk(business_id, link_id), f"BUYER#{email}")
    tally.update(actions=[BuyerTally.quantity.add(-quantity)])


def get_reservation(business_id: str, link_id: str, hold_id: str) -> Reservation | None:
    try:
        return Reservation.get(holdings_pk(business_id, link_id), reservation_sk(hold_id), consistent_read=True)
    except Reservation.DoesNotExist:
        return None


def end_reservation(reservation: Reservation, state: str, now: str, **fields: Any) -> bool:
    """Move an open reservation to `state`; False if it had already ended (a repeat, or the other outcome)."""
    actions: list[Any] = [Reservation.state.set(state), Reservation.updated_at.set(now),
                          Reservation.gsi3pk.remove(), Reservation.gsi3sk.remove()]  # off the agenda
    actions += [getattr(Reservation, k).set(v) for k, v in fields.items()]
    try:
        conditional(lambda: reservation.update(actions=actions, condition=Reservation.state == OPEN), "Ended already.")
    except Conflict:
        return False
    return True


def hold_longer(reservation: Reservation, until: str, now: str) -> bool:
    """Keep an open reservation's units until `until` (moved on the sweep's agenda) for a checkout
    already completed, whose URL is no longer one to go back to; False if it ended."""
    reservation.reserved_until = until
    pk, sk = hold_keys(reservation)
    actions: list[Any] = [Reservation.reserved_until.set(until), Reservation.gsi3pk.set(str(pk)),
                          Reservation.gsi3sk.set(str(sk)), Reservation.url.remove(), Reservation.updated_at.set(now)]
    try:
        conditional(lambda: reservation.update(actions=actions, condition=Reservation.state == OPEN), "Ended already.")
    except Conflict:
        return False
    return True


def count_sold(link: BuyLink, quantity: int) -> None:
    link.update(actions=[BuyLink.sold.add(quantity)])


def open_reservations(business_id: str, link_id: str, email: str | None = None) -> list[Reservation]:
    """The link's open reservations (only `email`'s, if given: filtered by DynamoDB)."""
    only = (Reservation.email == email) if email else None
    return [r for r in Reservation.query(holdings_pk(business_id, link_id), Reservation.sk.startswith("HOLD#"),
                                         filter_condition=only, consistent_read=True) if r.state == OPEN]


def holds_ending_on(day: str, before: str) -> list[Reservation]:
    """Open reservations (every business) whose hold ends on `day`, before the ISO moment `before`."""
    keys = sorted({(i.pk, i.sk) for i in BaseItem.gsi3.query(hold_day_pk(day), BaseItem.gsi3sk < before)})
    found: list[Reservation] = []
    for start in range(0, len(keys), 100):  # read as stored now: the index may lag
        found.extend(r for r in Reservation.batch_get(keys[start:start + 100], consistent_read=True) if r.state == OPEN)
    return found


def hold_units(link: BuyLink, reservation: Reservation, limit: int | None) -> None:
    """One transaction: the units off the stock (never below 0), the buyer's tally (never past
    `limit`), the reservation written. Conflict when any condition fails: nothing is taken."""
    quantity, email = int(reservation.quantity), reservation.email
    with transaction() as tx:
        if link.stock is not None:
            tx.update(link, actions=[BuyLink.stock.add(-quantity)],
                      condition=BuyLink.stock.exists() & (BuyLink.stock >= quantity))
        if limit is not None:
            tally = BuyerTally(holdings_pk(link.business_id, link.link_id), f"BUYER#{email}")
            tx.update(tally, actions=[BuyerTally.quantity.add(quantity), BuyerTally.item_type.set(BuyerTally)],
                      condition=BuyerTally.quantity.does_not_exist() | (BuyerTally.quantity <= limit - quantity))
        tx.save(reservation, condition=Reservation.pk.does_not_exist())
