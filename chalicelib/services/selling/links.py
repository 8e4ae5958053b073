"""Staff side of buy links: create, read, change, pause, resume, delete.

A link's page is `/buy/{token}`: a 256-bit token stored as its SHA-256 in a Token item (so the
URL names neither the business nor the link), the plain token on the link for staff to copy.
Deleting a link deletes its token (every old URL answers 404); paid invoices stay.
"""
from __future__ import annotations

from datetime import UTC, datetime

from chalicelib import clock
from chalicelib.domain import buy_links as rules
from chalicelib.domain.buy_link_inputs import BuyLinkInput, BuyLinkUpdate
from chalicelib.domain.errors import NotFound, ValidationError
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import new_id, new_token
from chalicelib.services.selling import recurring
from chalicelib.store import buy_links as store
from chalicelib.store import tokens
from chalicelib.store.products import Product, get_products
from chalicelib.store.table import iso, transaction, update_item


def _moment(value: datetime | None) -> str | None:
    if value is None:
        return None
    return iso(value if value.tzinfo else value.replace(tzinfo=UTC))  # a time without a zone is UTC


def products_of(business_id: str, product_ids: list[str]) -> list[Product]:
    """The link's products in its order; a missing one (another business's, or deleted) is a 404."""
    found = get_products(business_id, set(product_ids))
    for index, product_id in enumerate(product_ids):
        if product_id not in found:
            raise NotFound("Product not found.", field=f"product_ids[{index}]")
    return [found[p] for p in product_ids]


def _check(data: BuyLinkInput | store.BuyLink) -> None:
    rules.check_rule(rules.QuantityRule(int(data.min_quantity), int(data.max_quantity), bool(data.adjustable_quantity)))
    if data.mode == rules.SUBSCRIPTION and not data.interval:
        raise ValidationError("A subscription needs an interval: month or year.", field="interval")
    if data.mode == rules.PAYMENT and data.interval:
        raise ValidationError("Only a subscription has an interval.", field="interval")
    if data.per_buyer_limit is not None and int(data.per_buyer_limit) < int(data.min_quantity):
        raise ValidationError("The limit per buyer must allow at least one purchase.", field="per_buyer_limit")


def create_link(principal: Principal, data: BuyLinkInput) -> store.BuyLink:
    _check(data)
    if len(set(data.product_ids)) != len(data.product_ids):
        raise ValidationError("List each product once.", field="product_ids")
    products_of(principal.business_id, data.product_ids)
    now, token = iso(clock.now()), new_token()
    fields = data.given()
    fields.pop("expires_at", None)
    fields["ends_at"] = _moment(data.expires_at)
    link = store.new_link(principal.business_id, new_id(), token=token, created_at=now, updated_at=now, **fields)
    with transaction() as tx:
        tx.save(link, condition=store.BuyLink.pk.does_not_exist())
        tx.save(tokens.new_token_item(token, tokens.BUY_LINK, principal.business_id, link.link_id, now),
                condition=tokens.Token.pk.does_not_exist())
    try:
        return recurring.sync_plan(link)  # a recurring link: its price and plan
    except Exception:
        _remove(link)  # no price, no link: nothing is kept of a creation that failed
        raise


def get_link(principal: Principal, link_id: str) -> store.BuyLink:
    link = store.get_link(principal.business_id, link_id, consistent=True)
    if link is None:
        raise NotFound("Buy link not found.")
    return link


def list_links(principal: Principal, limit: int, cursor: str | None) -> tuple[list[store.BuyLink], str | None]:
    return store.list_links(principal.business_id, limit, cursor)


def update_link(principal: Principal, link_id: str, data: BuyLinkUpdate) -> store.BuyLink:
    link = get_link(principal, link_id)
    changes = data.given()
    if "expires_at" in changes:
        ends = changes.pop("expires_at")
        changes["ends_at"] = _moment(ends if isinstance(ends, datetime) else None)
    for name, value in changes.items():
        setattr(link, name, value)
    _check(link)
    update_item(link, changes, iso(clock.now()))
    return recurring.sync_plan(link)  # a new price if what it sells changed; the plan's name follows


def set_paused(principal: Principal, link_id: str, paused: bool) -> store.BuyLink:
    link = get_link(principal, link_id)
    update_item(link, {"paused": paused}, iso(clock.now()))
    link.paused = paused
    return recurring.sync_plan(link)  # a paused link's plan is inactive


def delete_link(principal: Principal, link_id: str) -> None:
    link = get_link(principal, link_id)
    _remove(link)
    if link.price_id:
        recurring.retire(link.business_id, str(link.price_id))  # subscribers keep it; nobody switches to it


def _remove(link: store.BuyLink) -> None:
    with transaction() as tx:
        tx.delete(link, condition=store.BuyLink.pk.exists())
        tx.delete(tokens.Token(tokens.token_pk(link.token), "TOKEN"))


def state_of(link: store.BuyLink) -> str:
    ends = datetime.fromisoformat(link.ends_at.replace("Z", "+00:00")) if link.ends_at else None
    return rules.state(bool(link.paused), ends, int(link.stock) if link.stock is not None else None, clock.now(),
                       int(link.min_quantity or 1))


def open_by_token(token: str) -> store.BuyLink:
    """The link behind a page token; NotFound for unknown, malformed or deleted ones."""
    from chalicelib.domain.tokens import looks_like_token

    item = tokens.find_token(token, tokens.BUY_LINK) if looks_like_token(token) else None
    link = store.get_link(item.business_id, item.target_id, consistent=True) if item else None
    if link is None:
        raise NotFound("This page does not exist.")
    return link

