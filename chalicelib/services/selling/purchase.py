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
from datetime import timedelta
from decimal import Decimal

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain import buy_links as rules
from chalicelib.domain import payments as pay_rules
from chalicelib.domain.buy_link_inputs import BuyInput
from chalicelib.domain.errors import Conflict, Unavailable
from chalicelib.domain.figures import invoice_figures
from chalicelib.domain.invoices import Line
from chalicelib.domain.tokens import new_id, token_hash
from chalicelib.services.payments import stripe_gateway
from chalicelib.services.selling.links import open_by_token, products_of, state_of
from chalicelib.store import buy_links as store
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.products import Product
from chalicelib.store.rate_limits import hit
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
    now, message = clock.now(), "Too many attempts. Wait a minute and try again."
    if ip:
        hit(f"buy-ip#{ip}", PER_IP, WINDOW, now, message)
    hit(f"buy-link#{token_hash(token)}", PER_LINK, WINDOW, now, message)


def start_purchase(token: str, data: BuyInput, ip: str | None, page_url: str, base_url: str) -> str:
    """The Buy button: the URL of the checkout. Conflict (sold out, over the limit, closed) otherwise."""
    limit_clicks(token, ip)
    offer = open_offer(token)
    if offer.state != rules.OPEN:
        raise Conflict(rules.CLOSED_WORDS[offer.state])
    if not stripe_gateway.online_payment_available(bool(offer.business.stripe_enabled)):
        raise Conflict("This business does not take online payments at the moment.")
    quantity = rules.quantity_asked(quantity_rule(offer.link), data.asked_quantity())
    email = data.email.strip().lower()
    lines = lines_for(offer.products, quantity)
    figures = invoice_figures(lines)
    if figures.total < pay_rules.stripe_minimum(offer.business.currency):
        raise Conflict("This offer cannot be paid online (the amount is below the card minimum).")
    _reserve(offer.link, email, quantity)
    try:
        return _open_checkout(offer, email, (data.name or "").strip() or None, quantity, lines, figures.total,
                              page_url, base_url)
    except Exception:
        _give_back(offer.link, email, quantity)
        raise


def _reserve(link: store.BuyLink, email: str, quantity: int) -> None:
    """The buyer's room first, then the stock; each a conditional write, undone if the next fails."""
    if link.per_buyer_limit is not None:
        try:
            store.take_buyer_room(link.business_id, link.link_id, email, quantity, int(link.per_buyer_limit))
        except Conflict:
            already = store.buyer_quantity(link.business_id, link.link_id, email)
            rules.check_buyer_room(int(link.per_buyer_limit), already, quantity)
            raise
    if link.stock is not None:
        try:
            store.take_stock(link, quantity)
        except Conflict:
            if link.per_buyer_limit is not None:
                store.give_back_buyer_room(link.business_id, link.link_id, email, quantity)
            raise Conflict(rules.CLOSED_WORDS[rules.SOLD_OUT]) from None


def _give_back(link: store.BuyLink, email: str, quantity: int) -> None:
    if link.stock is not None:
        store.put_back_stock(link, quantity)
    if link.per_buyer_limit is not None:
        store.give_back_buyer_room(link.business_id, link.link_id, email, quantity)


def _open_checkout(offer: Offer, email: str, name: str | None, quantity: int, lines: list[Line], total: int,
                   page_url: str, base_url: str) -> str:
    now = clock.now()
    until = now + timedelta(minutes=rules.RESERVATION_MINUTES)
    params = checkout_params(offer, email, quantity, lines, page_url, int(until.timestamp()))
    if stripe_gateway.configured():
        session = stripe_gateway.create_checkout_session(params, f"buy-{new_id()}")
        session_id, url, offline = session.id, session.url, False
    elif settings().is_local:
        from chalicelib.services.payments.checkout import offline_checkout_base

        session_id = f"{OFFLINE_PREFIX}{offer.business.business_id}_{offer.link.link_id}_{new_id()}"
        url, offline = f"{offline_checkout_base(base_url)}/checkout/offline/{session_id}", True
    else:
        raise Unavailable("Online payment is not configured.")
    stamp = iso(now)
    sold = [{"product_id": line.product_id, "description": line.description, "unit_price": line.unit_price,
             "tax_rate_bp": line.tax_rate_bp} for line in lines]
    store.Reservation(
        store.holdings_pk(offer.business.business_id, offer.link.link_id), store.reservation_sk(session_id),
        business_id=offer.business.business_id, link_id=offer.link.link_id, session_id=session_id, email=email,
        name=name, quantity=quantity, amount=total, currency=offer.business.currency, url=url,
        return_url=page_url, offline=offline, reserved_until=iso(until), lines_json=json.dumps(sold),
        created_at=stamp, updated_at=stamp,
    ).save(condition=store.Reservation.pk.does_not_exist())
    return url


def checkout_params(offer: Offer, email: str, quantity: int, lines: list[Line], page_url: str,
                    expires_at: int) -> dict[str, object]:
    """The Checkout Session of a buy link: one Stripe line per product (tax included, as on the
    invoice), the ids in every metadata set, units held until `expires_at`."""
    currency = offer.business.currency
    ids = {"business_id": offer.business.business_id, "link_id": offer.link.link_id, "quantity": str(quantity)}
    subscription = offer.link.mode == rules.SUBSCRIPTION
    items = []
    for line, parts in zip(lines, invoice_figures(lines).lines, strict=True):
        unit_gross = invoice_figures([Line(line.description, Decimal(1), line.unit_price, line.tax_rate_bp)]).total
        count, unit, label = rules.stripe_line(line.description, quantity, unit_gross, parts.net + parts.tax)
        price: dict[str, object] = {"currency": currency.lower(), "unit_amount": pay_rules.to_stripe_units(unit, currency),
                                    "product_data": {"name": label, "description": offer.link.title}}
        if subscription:
            price["recurring"] = {"interval": str(offer.link.interval)}
        items.append({"quantity": count, "price_data": price})
    params: dict[str, object] = {
        "mode": offer.link.mode, "line_items": items, "customer_email": email, "client_reference_id": offer.link.link_id,
        "metadata": ids, "expires_at": expires_at, "allow_promotion_codes": bool(offer.link.allow_promotion_codes),
        "success_url": f"{page_url}?payment=success", "cancel_url": f"{page_url}?payment=cancelled",
    }
    if subscription:
        params["subscription_data"] = {"metadata": ids}
    else:
        params["payment_intent_data"] = {"metadata": ids, "description": f"{offer.link.title} — {offer.business.name}"}
    return params
