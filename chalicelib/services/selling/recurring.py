"""A recurring buy link's price and plan: what makes a subscription-mode link a plan the
subscriptions (services/subscriptions) know.

When a subscription-mode link is created or changed, its Stripe Price is made — one recurring
price for one unit of the link (its products' prices, tax included, as on the invoice) — through
the real `stripe` library with an idempotency key per link and version, or, locally without a
Stripe key, an offline id `price_offline_{link_id}_{version}`. A new version is made only when
what the price is made of changes (amount, currency, interval, products): Stripe prices cannot
change. The price id is stored on the link and registered as the business's plan
(`plans.register_plan`, with the link's products, inactive while the link is paused or after it
is deleted; a replaced price's plan becomes inactive), so a mirror knows the files it opens and a
subscriber may switch between the business's plans.
"""
from __future__ import annotations

from decimal import Decimal

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain import buy_links as rules
from chalicelib.domain import payments as pay_rules
from chalicelib.domain.errors import Conflict, Unavailable
from chalicelib.domain.figures import invoice_figures
from chalicelib.domain.invoices import Line
from chalicelib.services.payments import stripe_gateway
from chalicelib.services.subscriptions import plans
from chalicelib.store import buy_links as store
from chalicelib.store import subscriptions as subs_store
from chalicelib.store.businesses import get_business
from chalicelib.store.products import Product, get_products
from chalicelib.store.table import iso, update_item

OFFLINE_PRICE = "price_offline_"


def unit_amount(products: list[Product]) -> int:
    """One unit of the link for one period: its products' prices with their tax (minor units)."""
    return sum(invoice_figures([Line(p.name, Decimal(1), int(p.unit_price), int(p.tax_rate_bp))]).total
               for p in products)


def _products(link: store.BuyLink) -> list[Product]:
    ids = [str(p) for p in link.product_ids]
    found = get_products(link.business_id, set(ids))
    return [found[p] for p in ids if p in found]


def sync_plan(link: store.BuyLink) -> store.BuyLink:
    """Make sure a subscription-mode link has the price of what it sells now, and that its plan
    says so (active unless paused). A payment-mode link is left as it is."""
    if link.mode != rules.SUBSCRIPTION:
        return link
    business = get_business(link.business_id)
    if business is None:
        return link
    products = _products(link)
    amount, currency = unit_amount(products), business.currency.upper()
    key = _price_key(link, currency, amount, products)
    stripe_product = None
    if link.price_id is None or link.price_key != key:
        link, stripe_product = _new_price(link, amount, currency, key)
    _register(link, amount, currency, products, stripe_product, active=not link.paused)
    return link


def _price_key(link: store.BuyLink, currency: str, amount: int, products: list[Product]) -> str:
    """What a price is made of: a price made for another key no longer sells what the page shows."""
    return f"{currency}:{amount}:{link.interval}:{','.join(p.product_id for p in products)}"


def _new_price(link: store.BuyLink, amount: int, currency: str, key: str) -> tuple[store.BuyLink, str | None]:
    """The next version's price, stored on the link once (a racing change that stored another
    version first wins; this one reads it back)."""
    old, version = link.price_id, int(link.price_version or 0) + 1
    price_id, stripe_product = _create_price(link, amount, currency, version)
    unchanged = (store.BuyLink.price_version == int(link.price_version)) if link.price_version is not None \
        else store.BuyLink.price_version.does_not_exist()
    try:
        update_item(link, {"price_id": price_id, "price_version": version, "price_key": key}, iso(clock.now()),
                    condition=store.BuyLink.pk.exists() & unchanged, version_check=False)
    except Conflict:
        fresh = store.get_link(link.business_id, link.link_id, consistent=True)
        return (fresh if fresh is not None else link), None
    link.price_id, link.price_version, link.price_key = price_id, version, key
    if old and old != price_id:
        retire(link.business_id, old)
    return link, stripe_product


def _create_price(link: store.BuyLink, amount: int, currency: str, version: int) -> tuple[str, str | None]:
    """The price's id and its Stripe product's (None offline)."""
    if stripe_gateway.configured():
        import stripe

        params = {"currency": currency.lower(), "unit_amount": pay_rules.to_stripe_units(amount, currency),
                  "recurring": {"interval": str(link.interval)}, "product_data": {"name": link.title},
                  "metadata": {"business_id": link.business_id, "link_id": link.link_id}}
        try:
            price = stripe_gateway.client().v1.prices.create(
                params=params, options={"idempotency_key": f"buy-link-price-{link.link_id}-{version}"})
        except stripe.StripeError as e:
            raise Unavailable("Stripe could not make the subscription's price right now. Try again in a minute.") from e
        product = price.to_dict().get("product")
        return str(price.id), (str(product) if isinstance(product, str) else None)
    if settings().is_local:
        return f"{OFFLINE_PRICE}{link.link_id}_{version}", None
    raise Unavailable("Online payment is not configured.")


def _register(link: store.BuyLink, amount: int, currency: str, products: list[Product], stripe_product: str | None,
              active: bool) -> None:
    if stripe_product is None:  # the price is not new: its product is the one registered before
        known = subs_store.get_plan(link.business_id, str(link.price_id))
        stripe_product = known.stripe_product_id if known is not None else None
    plans.register_plan(link.business_id, str(link.price_id), link.title, amount, currency, str(link.interval),
                        product_ids=[p.product_id for p in products], link_id=link.link_id,
                        stripe_product_id=stripe_product, active=active)


def retire(business_id: str, price_id: str) -> None:
    """The plan of a price no longer sold (replaced, or its link deleted): subscribers keep it,
    nobody switches to it."""
    plan = subs_store.get_plan(business_id, price_id)
    if plan is None or not plan.active:
        return
    plans.register_plan(business_id, price_id, plan.name, int(plan.amount), plan.currency, plan.interval,
                        product_ids=[str(p) for p in plan.product_ids or []], link_id=plan.link_id,
                        interval_count=int(plan.interval_count or 1), stripe_product_id=plan.stripe_product_id,
                        active=False)


def price_of(link: store.BuyLink) -> str:
    """The link's price id for what it sells now: made again when its products' prices changed
    since (the page shows today's prices, so Checkout must charge them), or when the link
    predates recurring prices."""
    business = get_business(link.business_id)
    if link.price_id and business is not None:
        products = _products(link)
        if link.price_key == _price_key(link, business.currency.upper(), unit_amount(products), products):
            return str(link.price_id)
    return str(sync_plan(link).price_id)
