"""The offline checkout of a buy link (local runs without Stripe keys): the same test-mode page
as for invoices, which posts Stripe-format signed events to `/webhooks/stripe`. Paying sends
`checkout.session.completed`; abandoning sends `checkout.session.expired`, as Stripe does when
the 30 minutes run out, so the units come back through the same path."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from chalicelib.config import settings
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.secrets import secret
from chalicelib.services.payments import offline_checkout, stripe_gateway
from chalicelib.services.selling.purchase import OFFLINE_PREFIX
from chalicelib.store import buy_links as store
from chalicelib.store.businesses import Business, get_business

NOT_FOUND = "This checkout does not exist."


@dataclass(frozen=True)
class OfflineBuy:
    business: Business
    reservation: store.Reservation


def is_buy_session(session_id: str) -> bool:
    return session_id.startswith(OFFLINE_PREFIX)


def open_checkout(session_id: str) -> OfflineBuy:
    if not settings().is_local or not is_buy_session(session_id):
        raise NotFound(NOT_FOUND)
    business_id, link_id, hold_id = [*session_id[len(OFFLINE_PREFIX):].split("_"), "", ""][:3]
    business = get_business(business_id) if business_id else None
    reservation = store.get_reservation(business_id, link_id, hold_id) if business and link_id and hold_id else None
    if business is None or reservation is None or reservation.session_id != session_id:
        raise NotFound(NOT_FOUND)
    return OfflineBuy(business, reservation)


def session_object(found: OfflineBuy, paid: bool) -> dict[str, Any]:
    """The Checkout Session as Stripe would describe it in the event."""
    r = found.reservation
    return {
        "id": str(r.session_id), "object": "checkout.session", "mode": str(r.mode), "livemode": False,
        "status": "complete" if paid else "expired", "payment_status": "paid" if paid else "unpaid",
        "amount_total": int(r.amount), "currency": r.currency.lower(), "client_reference_id": r.link_id,
        "customer_email": r.email, "customer_details": {"email": r.email, "name": r.name},
        "payment_intent": "pi_offline_" + str(r.session_id)[-24:] if paid and r.mode == "payment" else None,
        # A subscription's checkout names the Subscription it started (services for subscriptions take it on).
        "subscription": "sub_offline_" + str(r.session_id)[-24:] if paid and r.mode == "subscription" else None,
        "metadata": {"business_id": r.business_id, "link_id": r.link_id, "hold_id": r.hold_id,
                     "quantity": str(int(r.quantity))},
    }


def finish(session_id: str, pay: bool, webhook_url: str) -> str:
    """Pay or abandon; posts the signed event and returns where the buyer goes next."""
    found = open_checkout(session_id)
    if found.reservation.state != store.OPEN:
        raise Conflict("This checkout has already ended.")
    kind = "checkout.session.completed" if pay else "checkout.session.expired"
    payload = json.dumps(offline_checkout.event(kind, session_object(found, pay))).encode()
    # Wall-clock time, not `clock`: the stripe library checks the signature's age against time.time().
    header = stripe_gateway.signature_header(payload, secret(stripe_gateway.WEBHOOK_SECRET), int(time.time()))
    offline_checkout.deliver(webhook_url, payload, header)
    page = found.reservation.return_url or ""
    return f"{page}?payment={'success' if pay else 'cancelled'}"
