"""The portal's Subscriptions tab and page, and what a subscriber may do: cancel at the period's
end, resume (undo that), change plan between the business's plans of the same interval.

A contact sees only its own client's subscriptions (anything else is a 404, like an unknown id);
`portal.open_portal` already checked that the contact is current. Actions go to Stripe
(`gateway.modify`, with an idempotency key per action and stored state, so a double click is one
change) and the answer is stored at once; the webhook that follows changes nothing more. Offline
the stand-in sends that webhook instead, and the page says the change is on its way.
"""
from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.domain import subscriptions as rules
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.money import format_amount
from chalicelib.services.portal.portal import PAGE, PortalAccess
from chalicelib.services.subscriptions import gateway, mirror, plans
from chalicelib.store import subscriptions as store
from chalicelib.store.documents import get_document
from chalicelib.store.rate_limits import hit

TAB = "subscriptions"
PER_CONTACT, PER_IP, WINDOW = 10, 30, 600  # changes per contact, and per IP, in 10 minutes


def _money(amount: float | None, currency: str | None) -> dict[str, Any] | None:
    if amount is None or not currency:
        return None
    return {"amount": int(amount), "currency": currency, "display": format_amount(int(amount), currency)}


def next_charge(sub: store.Subscription) -> dict[str, Any] | None:
    """The next renewal: the plan's amount at the period's end, unless it ends then (or has ended)."""
    if sub.status not in (rules.TRIALING, rules.ACTIVE, rules.PAST_DUE) or sub.cancel_at_period_end:
        return None
    money = _money(sub.amount, sub.currency)
    return {**money, "date": (sub.current_period_end or "")[:10]} if money and sub.current_period_end else None


def shown(sub: store.Subscription) -> dict[str, Any]:
    status = str(sub.status or rules.INCOMPLETE)
    cancel = bool(sub.cancel_at_period_end)
    return {
        "id": sub.subscription_id, "plan": sub.plan_name or "Subscription", "price_id": sub.price_id,
        "status": status, "status_label": rules.LABELS.get(status, status),
        "price": _money(sub.amount, sub.currency), "quantity": int(sub.quantity or 1), "interval": sub.interval,
        "current_period_start": (sub.current_period_start or "")[:10] or None,
        "current_period_end": (sub.current_period_end or "")[:10] or None,
        "cancel_at_period_end": cancel, "next_charge": next_charge(sub),
        "can_cancel": rules.can_cancel(status, cancel), "can_resume": rules.can_resume(status, cancel),
        "payment_failed": bool(sub.last_payment_failed_at) and status == rules.PAST_DUE,
    }


def subscriptions_tab(access: PortalAccess, cursor: str | None) -> dict[str, Any]:
    found, next_cursor = store.client_subscriptions(access.business_id, access.client_id, PAGE, cursor)
    return {"items": [shown(s) for s in found], "next_cursor": next_cursor}


def _own(access: PortalAccess, subscription_id: str) -> tuple[store.Subscription, list[store.SubscriptionInvoice]]:
    sub, paid = store.load_subscription(subscription_id)
    if sub is None or sub.business_id != access.business_id or sub.client_id != access.client_id:
        raise NotFound("Not found.")
    return sub, paid


def subscription_page(access: PortalAccess, subscription_id: str) -> dict[str, Any]:
    """One subscription of this contact's client: its plan, state, paid periods and plan choices."""
    sub, paid = _own(access, subscription_id)
    invoices = []
    for period in reversed(paid):  # newest first
        document = get_document(access.business_id, period.doc_id)
        invoices.append({"id": period.doc_id, "number": period.number, "paid_at": period.paid_at[:10],
                         "period_end": (period.period_end or "")[:10] or None,
                         "status": document.status if document else "paid",
                         "total": _money(int(period.amount), period.currency)})
    choices = [{"price_id": p.price_id, "name": p.name, "price": _money(int(p.amount), p.currency)}
               for p in plans.switch_choices(access.business_id, sub)] if rules.can_change_plan(str(sub.status)) else []
    return {"subscription": shown(sub), "invoices": invoices, "plans": choices}


def _limit(access: PortalAccess, ip: str | None) -> None:
    now, message = clock.now(), "Too many changes to your subscription. Wait a few minutes and try again."
    hit(f"subscription-change#{access.business_id}#{access.contact_id}", PER_CONTACT, WINDOW, now, message)
    if ip:
        hit(f"subscription-change-ip#{ip}", PER_IP, WINDOW, now, message)


def change(access: PortalAccess, subscription_id: str, action: str, ip: str | None,
           price_id: str | None = None) -> bool:
    """Cancel at period end, resume, or change plan. True: stored now; False: on its way (offline)."""
    _limit(access, ip)
    sub, _ = _own(access, subscription_id)
    status, cancel = str(sub.status), bool(sub.cancel_at_period_end)
    if status in rules.ENDED:  # the same plain answer to every action, not a word about its period
        raise Conflict(f"This subscription has ended ({rules.LABELS.get(status, status)}); nothing can be changed.")
    if action == "cancel":
        if not rules.can_cancel(status, cancel):
            raise Conflict("This subscription is not running, or already ends at the end of its period.")
        params: dict[str, Any] = {"cancel_at_period_end": True}
    elif action == "resume":
        if not rules.can_resume(status, cancel):
            raise Conflict("This subscription is not set to end, so there is nothing to resume.")
        params = {"cancel_at_period_end": False}
    else:
        params = _plan_change(access, sub, price_id)
    key = f"subscription-{sub.subscription_id}-{action}-{price_id or ''}-{sub.state_key or ''}"
    answer = gateway.modify(sub.subscription_id, params, key)
    if answer is None:
        return False
    mirror.apply_subscription(answer, mirror.newer_than_stored(sub), access.business_id)
    return True


def _plan_change(access: PortalAccess, sub: store.Subscription, price_id: str | None) -> dict[str, Any]:
    if not rules.can_change_plan(str(sub.status)):
        raise Conflict("The plan of this subscription cannot be changed now.")
    if price_id == sub.price_id:
        raise Conflict("This is already your plan.")
    if price_id not in {p.price_id for p in plans.switch_choices(access.business_id, sub)} or not sub.item_id:
        raise NotFound("That plan is not available.", field="price_id")
    return {"items": [{"id": sub.item_id, "price": price_id}], "proration_behavior": "create_prorations"}
