"""Staff: the business's subscriptions (newest first) and one with its paid periods and files."""
from __future__ import annotations

from typing import Any

from chalicelib.domain.errors import NotFound
from chalicelib.domain.principal import Principal
from chalicelib.services.subscriptions import portal_views
from chalicelib.store import subscriptions as store
from chalicelib.store.grants import grants_of_client


def summary(sub: store.Subscription) -> dict[str, Any]:
    return {**portal_views.shown(sub), "client_id": sub.client_id, "contact_id": sub.contact_id,
            "customer_id": sub.customer_id, "link_id": sub.link_id, "product_ids": list(sub.product_ids or []),
            "stripe_product_id": sub.stripe_product_id, "state_at": sub.state_at,
            "last_payment_failed_at": sub.last_payment_failed_at, "created_at": sub.created_at,
            "updated_at": sub.updated_at}


def list_subscriptions(principal: Principal, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    found, next_cursor = store.business_subscriptions(principal.business_id, limit, cursor)
    return [summary(s) for s in found], next_cursor


def subscription_detail(principal: Principal, subscription_id: str) -> dict[str, Any]:
    """One subscription of the business (404 for another business's), its invoices and files."""
    sub, paid = store.load_subscription(subscription_id)
    if sub is None or sub.business_id != principal.business_id:
        raise NotFound("Subscription not found.", field="subscription_id")
    invoices = [{"invoice_id": p.doc_id, "number": p.number, "stripe_invoice_id": p.stripe_invoice_id,
                 "amount": int(p.amount), "currency": p.currency, "period_start": p.period_start,
                 "period_end": p.period_end, "paid_at": p.paid_at} for p in reversed(paid)]
    grants = [{"grant_id": g.grant_id, "resource_id": g.resource_id, "title": g.title, "state": g.state,
               "reason": g.reason, "decided_by": g.decided_by}
              for g in (grants_of_client(principal.business_id, sub.client_id) if sub.client_id else [])
              if g.subscription_id == subscription_id]
    return {**summary(sub), "invoices": invoices, "grants": grants}
