"""The buyer's side until Checkout: open the page's link, check the quantity and the buyer's
limit, reserve stock, create the Checkout Session (Stripe's, or locally the offline one).

Stock is reserved when the session is created — a conditional decrement that never goes below
0 — and held until the session completes (sold) or expires (given back: `checkout.session.expired`,
30 minutes later, the shortest lifetime Stripe allows). So 20 buyers for 5 units left get exactly
5 checkouts; the 15 others are told "Sold out" before paying anything: nobody is charged for a unit
that is not there, and nothing needs refunding. Nothing else is written before payment: no
client, no invoice (an abandoned checkout only gives its units back).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from chalicelib import clock
from chalicelib.domain import buy_links as rules
from chalicelib.domain import payments as pay_rules
from chalicelib.domain.buy_link_inputs import BuyInput
from chalicelib.domain.errors import Conflict
from chalicelib.domain.figures import invoice_figures
from chalicelib.domain.invoices import Line
from chalicelib.domain.tokens import new_id
from chalicelib.services.payments import stripe_gateway
from chalicelib.services.selling.links import open_by_token, products_of, state_of
from chalicelib.store import buy_links as store
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.products import Product
from chalicelib.store.rate_limits import hit_link
from chalicelib.store.table import iso

PER_IP, PER_LINK, WINDOW = 20, 60, 60  # Buy clicks per minute
OFFLINE_PREFIX = "cs_offline_buy_"


@dataclass(frozen=True)
class Offer:
    """What a buy link sells now: the business, the link and its products in order."""

    business: Business
    link: store.BuyLink
    products: list[Product]
    state: str  # domain.buy_links: open, paused, expired, sold_out


def open_offer(token: str) -> Offer:
    link = open_by_token(token)
    business = get_business(link.business_id)
    if business is None:
        from chalicelib.domain.errors import NotFound

        raise NotFound("This page does not exist.")
    return Offer(business, link, products_of(link.business_id, [str(p) for p in link.product_ids]), state_of(link))


def quantity_rule(link: store.BuyLink) -> rules.QuantityRule:
    return rules.QuantityRule(int(link.min_quantity), int(link.max_quantity), bool(link.adjustable_quantity))


def lines_for(products: list[Product], quantity: int) -> list[Line]:
    return [Line(description=p.name, quantity=Decimal(quantity), unit_price=int(p.unit_price),
                 tax_rate_bp=int(p.tax_rate_bp), product_id=p.product_id) for p in products]


def limit_clicks(token: str, ip: str | None) -> None:
    hit_link("buy", token, ip, PER_IP, PER_LINK, WINDOW, clock.now(), "Too many attempts. Wait a minute and try again.")


def start_purchase(token: str, data: BuyInput, ip: str | None, page_url: str, base_url: str) -> str:
    """The Buy button: the URL of the checkout. Conflict (sold out, over the limit, closed) otherwise."""
    limit_clicks(token, ip)
    offer = open_offer(token)
    if offer.state != rules.OPEN:
        raise Conflict(rules.CLOSED_WORDS[offer.state])
    if not stripe_gateway.online_payment_available(bool(offer.business.stripe_enabled)):
        raise Conflict("This business does not take online payments at the moment.")
    quantity = rules.quantity_asked(quantity_rule(offer.link), data.asked_quantity())
    lines = lines_for(offer.products, quantity)
    total = invoice_figures(lines).total
    if total < pay_rules.stripe_minimum(offer.business.currency):
        raise Conflict("This offer cannot be paid online (the amount is below the card minimum).")
    reservation = _reservation(offer, data, quantity, lines, total, page_url)
    _hold(offer.link, reservation)
    try:
        return _open_checkout(offer, reservation, lines, page_url, base_url)
    except Exception:
        release(reservation)  # no checkout: the units are for sale again at once
        raise


def _reservation(offer: Offer, data: BuyInput, quantity: int, lines: list[Line], total: int,
                 page_url: str) -> store.Reservation:
    now = clock.now()
    stamp, hold_id = iso(now), new_id()
    sold = [{"product_id": line.product_id, "description": line.description, "unit_price": line.unit_price,
             "tax_rate_bp": line.tax_rate_bp} for line in lines]
    return store.Reservation(
        store.holdings_pk(offer.business.business_id, offer.link.link_id), store.reservation_sk(hold_id),
        business_id=offer.business.business_id, link_id=offer.link.link_id, hold_id=hold_id, mode=offer.link.mode,
        tallied=offer.link.per_buyer_limit is not None,
        email=data.email.strip().lower(), name=(data.name or "").strip() or None, quantity=quantity, amount=total,
        currency=offer.business.currency, return_url=page_url, lines_json=json.dumps(sold), created_at=stamp,
        reserved_until=iso(now + timedelta(minutes=rules.RESERVATION_MINUTES)), updated_at=stamp,
    )


def _hold(link: store.BuyLink, reservation: store.Reservation, attempts: int = 8) -> None:
    """Take the units and the buyer's room with the reservation, in one transaction. A cancelled
    transaction is read again: sold out or over the limit is said so; a collision with another
    buyer's transaction (units still left) is tried again."""
    limit = int(link.per_buyer_limit) if link.per_buyer_limit is not None else None
    quantity = int(reservation.quantity)
    if limit is not None:  # more than the limit in one go: a first tally would not catch it
        rules.check_buyer_room(limit, 0, quantity)
    for _ in range(attempts):
        try:
            store.hold_units(link, reservation, limit)
            return
        except Conflict:
            fresh = store.get_link(link.business_id, link.link_id, consistent=True)
            if fresh is None or (fresh.stock is not None and int(fresh.stock) < quantity):
                raise Conflict(rules.CLOSED_WORDS[rules.SOLD_OUT]) from None
            if limit is not None:
                rules.check_buyer_room(limit, store.buyer_quantity(link.business_id, link.link_id, reservation.email),
                                       quantity)
            link = fresh
    raise Conflict("Many people are buying at once; try again.")


def release(reservation: store.Reservation) -> bool:
    """End an open reservation and give its units and the buyer's room back (once: False if it had
    already ended, sold or released)."""
    if not store.end_reservation(reservation, store.RELEASED, iso(clock.now())):
        return False
    link = store.get_link(reservation.business_id, reservation.link_id, consistent=True)
    if link is not None and link.stock is not None:
        store.put_back_stock(link, int(reservation.quantity))
    if reservation.tallied:
        store.give_back_buyer_room(reservation.business_id, reservation.link_id, reservation.email,
                                   int(reservation.quantity))
    return True


def _open_checkout(offer: Offer, reservation: store.Reservation, lines: list[Line], page_url: str,
                   base_url: str) -> str:
    until = datetime.fromisoformat(str(reservation.reserved_until).replace("Z", "+00:00"))
    params = checkout_params(offer, reservation.email, int(reservation.quantity), lines, page_url,
                             int(until.timestamp()), reservation.hold_id)
    from chalicelib.services.payments.checkout import open_session

    session_id, url, offline = open_session(
        params, f"buy-{reservation.hold_id}",
        f"{OFFLINE_PREFIX}{offer.business.business_id}_{offer.link.link_id}_{reservation.hold_id}", base_url)
    reservation.update(actions=[store.Reservation.session_id.set(session_id), store.Reservation.url.set(url),
                                store.Reservation.offline.set(offline)])
    return url


def checkout_params(offer: Offer, email: str, quantity: int, lines: list[Line], page_url: str,
                    expires_at: int, hold_id: str) -> dict[str, object]:
    """The Checkout Session of a buy link: one Stripe line per product (tax included, as on the
    invoice), the ids in every metadata set, units held until `expires_at`."""
    currency = offer.business.currency
    ids = {"business_id": offer.business.business_id, "link_id": offer.link.link_id, "hold_id": hold_id,
           "quantity": str(quantity)}
    if offer.link.mode == rules.SUBSCRIPTION:
        return _subscription_params(offer, email, quantity, page_url, expires_at, ids)
    items = []
    for line, parts in zip(lines, invoice_figures(lines).lines, strict=True):
        unit_gross = invoice_figures([Line(line.description, Decimal(1), line.unit_price, line.tax_rate_bp)]).total
        count, unit, label = rules.stripe_line(line.description, quantity, unit_gross, parts.net + parts.tax)
        price: dict[str, object] = {"currency": currency.lower(), "unit_amount": pay_rules.to_stripe_units(unit, currency),
                                    "product_data": {"name": label, "description": offer.link.title}}
        items.append({"quantity": count, "price_data": price})
    params = _common_params(offer, email, items, page_url, expires_at, ids)
    params["payment_intent_data"] = {"metadata": ids, "description": f"{offer.link.title} — {offer.business.name}"}
    return params


def _common_params(offer: Offer, email: str, items: list[dict[str, object]], page_url: str, expires_at: int,
                   ids: dict[str, str]) -> dict[str, object]:
    return {
        "mode": offer.link.mode, "line_items": items, "customer_email": email, "client_reference_id": offer.link.link_id,
        "metadata": ids, "expires_at": expires_at, "allow_promotion_codes": bool(offer.link.allow_promotion_codes),
        "success_url": f"{page_url}?payment=success", "cancel_url": f"{page_url}?payment=cancelled",
    }


def _subscription_params(offer: Offer, email: str, quantity: int, page_url: str, expires_at: int,
                         ids: dict[str, str]) -> dict[str, object]:
    """A recurring link sells its own recurring Price (services/selling/recurring.py), the one
    its plan names; the subscription's metadata also lists the products, should the plan be missing."""
    from chalicelib.services.selling import recurring

    items: list[dict[str, object]] = [{"price": recurring.price_of(offer.link), "quantity": quantity}]
    params = _common_params(offer, email, items, page_url, expires_at, ids)
    params["subscription_data"] = {"metadata": {**ids, "product_ids": ",".join(str(p) for p in offer.link.product_ids)}}
    return params
