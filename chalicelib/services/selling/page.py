"""What the public page of a buy link shows: the business's brand, the offer's title and words,
its products with prices, what the buyer gets (each product's files and links that open after
payment, by title), previews the business allows before payment, and whether it can be bought."""
from __future__ import annotations

from typing import Any

from chalicelib.domain import access, previews
from chalicelib.domain import buy_links as rules
from chalicelib.domain.figures import invoice_figures
from chalicelib.domain.money import format_amount
from chalicelib.services.delivery.previews.urls import preview_url
from chalicelib.services.payments import stripe_gateway
from chalicelib.services.selling.purchase import Offer, lines_for, open_offer, quantity_rule
from chalicelib.store.attachments import attachments_of_target
from chalicelib.store.resources import READY, get_resource

UNAVAILABLE = "unavailable"
NO_PAYMENTS = "This business does not take online payments at the moment."


def page_view(token: str) -> tuple[Offer, dict[str, Any]]:
    offer = open_offer(token)
    link, currency = offer.link, offer.business.currency
    rule = quantity_rule(link)
    figures = invoice_figures(lines_for(offer.products, rule.minimum))
    gets, shown = _what_buyer_gets(offer)
    state, closed = offer.state, rules.CLOSED_WORDS.get(offer.state)
    if state == rules.OPEN and not stripe_gateway.online_payment_available(bool(offer.business.stripe_enabled)):
        state, closed = UNAVAILABLE, NO_PAYMENTS  # the Buy click would only be refused
    view = {
        "title": link.title, "description": link.description, "state": state,
        "closed_words": closed, "mode": link.mode, "interval": link.interval,
        "products": [{"name": p.name, "description": p.description,
                      "price": _money(int(p.unit_price), currency)} for p in offer.products],
        "price": _money(figures.total, currency), "tax_included": figures.tax > 0,
        "quantity": {"min": rule.minimum, "adjustable": rule.adjustable, "max": _most_offered(link, rule.maximum)},
        "stock": int(link.stock) if link.stock is not None else None,
        "gets": gets, "previews": shown,
    }
    return offer, view


def _most_offered(link: Any, maximum: int) -> int:
    """The form's maximum: no more than is left nor than one buyer may have (a larger ask would
    only be refused), never below the link's minimum."""
    caps = [int(v) for v in (link.stock, link.per_buyer_limit) if v is not None]
    return max(int(link.min_quantity), min([maximum, *caps]))


def _money(amount: int, currency: str) -> dict[str, Any]:
    """Data, as every view's money: the page writes it in the business's locale."""
    return {"amount": amount, "currency": currency, "display": format_amount(amount, currency)}


def _what_buyer_gets(offer: Offer) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Titles of every file and link the payment opens, and the thumbnails allowed before payment."""
    gets: list[dict[str, Any]] = []
    shown: list[dict[str, Any]] = []
    for product in offer.products:
        for attachment in attachments_of_target(offer.business.business_id, "product", product.product_id):
            if attachment.policy not in (access.AFTER_PAYMENT, access.VISIBLE):
                continue
            resource = get_resource(offer.business.business_id, attachment.resource_id)
            if resource is None or resource.status != READY:
                continue
            gets.append({"title": resource.title, "kind": resource.kind})
            allowed = access.preview_allowed_before_payment(resource.preview_before_payment, bool(resource.product_image))
            if allowed and resource.preview_state == previews.READY and resource.preview_small_key:
                shown.append({"title": resource.title, "url": preview_url(resource.preview_small_key)})
    return gets, shown
