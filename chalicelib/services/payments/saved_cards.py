"""The portal's "Payment methods" tab: the client's saved cards, read from Stripe each time
(brand, last four digits, expiry, which is the default), adding one through Checkout in setup
mode, removing one (detach) and choosing the default (the customer's
`invoice_settings.default_payment_method`, which auto-charge uses).

Every contact of the client sees and manages the client's cards (they pay the client's
invoices); a removed contact has no portal (`contact_access`). A card id from the URL is
acted on only if Stripe says it belongs to this client's customer: anything else is a 404.
"""
from __future__ import annotations

import contextlib
from typing import Any

from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain.errors import Conflict, NotFound, Unavailable
from chalicelib.domain.tokens import new_id
from chalicelib.services.payments import cards_gateway, checkout, customers, offline_cards, stripe_gateway
from chalicelib.services.portal.portal import PortalAccess, business_for
from chalicelib.store import cards as store
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import conditional, iso

TAB = "payment-methods"
PER_CONTACT, PER_IP, WINDOW = 10, 30, 60  # card changes per minute
NOT_SAVED = "That card is not saved."


def limit(access: PortalAccess, ip: str | None) -> None:
    now, message = clock.now(), "Too many changes to your cards. Wait a minute and try again."
    if ip:
        hit(f"cards-ip#{ip}", PER_IP, WINDOW, now, message)
    hit(f"cards#{access.business_id}#{access.contact_id}", PER_CONTACT, WINDOW, now, message)


def _check_available(access: PortalAccess) -> None:
    if not stripe_gateway.online_payment_available(bool(business_for(access).stripe_enabled)):
        raise NotFound("This part of the portal is not available.", field="tab")


def payment_methods_tab(access: PortalAccess, params: Any) -> dict[str, Any]:
    """The client's saved cards (none until the client saves one: no Stripe call before that)."""
    _check_available(access)
    customer_id = customers.existing_customer(access.business_id, access.client_id)
    cards, default = cards_gateway.cards_of(customer_id) if customer_id else ([], None)
    return {
        "cards": [{"id": c.id, "brand": c.brand, "last4": c.last4, "expiry": f"{c.exp_month:02d}/{c.exp_year}",
                   "default": c.id == default} for c in cards],
        "saved": (params or {}).get("setup") == "success",
    }


def start_setup(access: PortalAccess, portal_url: str, app_base_url: str) -> str:
    """Checkout in setup mode for the client's customer; the URL to send the contact to."""
    _check_available(access)
    customer_id = customers.customer_for(access.business_id, access.client_id)
    return_url = f"{portal_url}?tab={TAB}"
    ids = {"business_id": access.business_id, "client_id": access.client_id, "purpose": "setup"}
    params: dict[str, Any] = {
        "mode": "setup", "customer": customer_id, "payment_method_types": ["card"],
        "metadata": ids, "setup_intent_data": {"metadata": ids},
        "success_url": f"{return_url}&setup=success", "cancel_url": return_url,
    }
    if stripe_gateway.configured():
        session = stripe_gateway.create_checkout_session(params, f"setup-{access.business_id}-{new_id()}")
        session_id, url, offline = session.id, session.url, False
    elif cards_gateway.offline():
        session_id = offline_cards.setup_session_id(access.business_id, access.client_id)
        url, offline = f"{checkout.offline_checkout_base(app_base_url)}/checkout/offline-cards/{session_id}", True
    else:
        raise Unavailable("Online payment is not configured.")
    now = iso(clock.now())
    store.new_setup_session(access.business_id, access.client_id, session_id, customer_id=customer_id, url=url,
                            return_url=return_url, offline=offline, created_at=now, updated_at=now).save()
    return url


def _own_card(access: PortalAccess, payment_method: str) -> str:
    """The client's customer id, if `payment_method` is one of its cards; else 404."""
    _check_available(access)
    customer_id = customers.existing_customer(access.business_id, access.client_id)
    if customer_id is None or cards_gateway.owner_of(payment_method) != customer_id:
        raise NotFound(NOT_SAVED, field="payment_method")
    return customer_id


def remove(access: PortalAccess, payment_method: str) -> None:
    """Detach the card. Stripe clears the default when it was the default one; another saved card
    then becomes the default, so auto-charge still has a card to charge while the tab lists one."""
    customer_id = _own_card(access, payment_method)
    cards, default = cards_gateway.cards_of(customer_id)
    cards_gateway.detach(payment_method)
    others = [card.id for card in cards if card.id != payment_method]
    if default in (None, payment_method) and others:
        cards_gateway.set_default(customer_id, others[0])


def make_default(access: PortalAccess, payment_method: str) -> None:
    cards_gateway.set_default(_own_card(access, payment_method), payment_method)


# --- the webhook: a setup completed ---------------------------------------------------------


def setup_completed(session: dict[str, Any]) -> str:
    """`checkout.session.completed` in setup mode: the card is saved with the customer by Stripe;
    it becomes the default when the client has none. Only sessions Paydrop started count."""
    metadata = session.get("metadata") or {}
    business_id, client_id = metadata.get("business_id"), metadata.get("client_id")
    if not isinstance(business_id, str) or not isinstance(client_id, str):
        return "rejected_unknown_session"
    record = store.get_setup_session(business_id, client_id, str(session.get("id")))
    if record is None or session.get("customer") != record.customer_id:
        return "rejected_unknown_session"
    intent = session.get("setup_intent")
    payment_method = None
    if isinstance(intent, str):
        payment_method = (cards_gateway.setup_payment_method(intent) if not record.offline
                          else "pm_offline_" + intent[len("seti_offline_"):])
    actions: list[Action] = [store.SetupSession.status.set("complete"), store.SetupSession.updated_at.set(iso(clock.now()))]
    if payment_method:
        actions.append(store.SetupSession.payment_method.set(payment_method))
    with contextlib.suppress(Conflict):  # a repeat of the event: already complete
        conditional(lambda: record.update(actions=actions, condition=store.SetupSession.status == "open"),
                    "Already complete.")
    if payment_method:
        _, default = cards_gateway.cards_of(record.customer_id)
        if default is None:
            cards_gateway.set_default(record.customer_id, payment_method)
    return "card_saved"
