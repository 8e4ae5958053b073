"""The business's plans: the recurring prices its buy links sell, and what each one's files are.

A recurring buy link registers its Stripe price here (`register_plan`), so a mirror knows the
Paydrop products behind a price (the files it opens) and a subscriber can switch between the
business's plans of the same interval. A price nobody registered still works: its products are
read from the subscription's metadata (`product_ids`, comma-separated), if any.
"""
from __future__ import annotations

from chalicelib import clock
from chalicelib.store import subscriptions as store
from chalicelib.store.table import iso


def register_plan(business_id: str, price_id: str, name: str, amount: int, currency: str, interval: str, *,
                  product_ids: list[str], link_id: str | None = None, interval_count: int = 1,
                  stripe_product_id: str | None = None, active: bool = True) -> store.Plan:
    """Record (or update) a recurring price the business sells. Called by the buy links when a
    recurring link is created or changed (`active=False` when it is paused or deleted)."""
    return store.save_plan(business_id, price_id, name=name, amount=amount, currency=currency.upper(),
                           interval=interval, interval_count=interval_count, product_ids=list(product_ids),
                           link_id=link_id, stripe_product_id=stripe_product_id, active=active,
                           created_at=iso(clock.now()))


def plan_facts(business_id: str, price_id: str | None, metadata_products: str | None) -> dict[str, object]:
    """What the mirror keeps of its plan: the products (whose files it opens) and the plan's name."""
    plan = store.get_plan(business_id, price_id) if price_id else None
    if plan is not None:
        return {"product_ids": list(plan.product_ids or []), "plan_name": plan.name}
    products = [p for p in (metadata_products or "").split(",") if p]
    return {"product_ids": products or None, "plan_name": None}


def switch_choices(business_id: str, mirror: store.Subscription) -> list[store.Plan]:
    """The plans this subscription may change to: the business's other active plans of the same
    interval and currency."""
    return [p for p in store.plans_of(business_id)
            if p.active and p.price_id != mirror.price_id and p.interval == mirror.interval
            and int(p.interval_count or 1) == int(mirror.interval_count or 1) and p.currency == mirror.currency]
