"""The offline checkout: when no Stripe key is configured locally, "Pay" opens this test-mode
page instead of Stripe's. Paying (or declining) there signs genuine Stripe-format webhook
events with the local signing secret and posts them to `/webhooks/stripe`, so the same
queue → worker → ledger → grants → email path runs as with Stripe."""
from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.tokens import new_id
from chalicelib.secrets import secret
from chalicelib.services.payments import stripe_gateway
from chalicelib.services.payments.checkout import OFFLINE_PREFIX
from chalicelib.store import documents as docs
from chalicelib.store.businesses import Business, get_business

NOT_FOUND = "This checkout does not exist."


@dataclass(frozen=True)
class OfflineCheckout:
    business: Business
    document: docs.Document
    checkout: docs.CheckoutSession


def open_checkout(session_id: str) -> OfflineCheckout:
    """The offline checkout behind `session_id`; 404 outside local runs or for unknown ids."""
    if not settings().is_local or not session_id.startswith(OFFLINE_PREFIX):
        raise NotFound(NOT_FOUND)
    business_id, doc_id, _ = [*session_id[len(OFFLINE_PREFIX):].split("_"), "", ""][:3]
    business, document = get_business(business_id), docs.get_document(business_id, doc_id) if doc_id else None
    try:
        checkout = docs.CheckoutSession.get(docs.doc_pk(business_id, doc_id), docs.checkout_sk(session_id),
                                            consistent_read=True)
    except docs.CheckoutSession.DoesNotExist as e:
        raise NotFound(NOT_FOUND) from e
    if business is None or document is None:
        raise NotFound(NOT_FOUND)
    return OfflineCheckout(business, document, checkout)


def session_object(found: OfflineCheckout, paid: bool) -> dict[str, Any]:
    """The Checkout Session as Stripe would describe it in the event."""
    checkout, document = found.checkout, found.document
    ids = {"business_id": checkout.business_id, "doc_id": checkout.doc_id, "amount": str(int(checkout.amount))}
    return {
        "id": checkout.session_id, "object": "checkout.session", "mode": "payment", "livemode": False,
        "status": "complete" if paid else "open", "payment_status": "paid" if paid else "unpaid",
        "amount_total": int(checkout.amount), "currency": checkout.currency.lower(),
        "client_reference_id": document.doc_id, "customer_email": document.bill_to.email,
        "payment_intent": "pi_offline_" + checkout.session_id[-24:], "metadata": ids,
    }


def event(event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"evt_offline_{new_id()}", "object": "event", "type": event_type, "livemode": False,
            "created": int(clock.now().timestamp()), "api_version": "2025-01-01", "data": {"object": obj}}


def finish(session_id: str, pay: bool, webhook_url: str) -> str:
    """Pay or decline; posts the signed event to the webhook and returns where the client goes next."""
    found = open_checkout(session_id)
    if found.checkout.status != "open":
        raise Conflict("This checkout has already ended.")
    if pay:
        if found.checkout.save_card_for:  # "save this card": kept with the customer, as Stripe does
            from chalicelib.services.payments import offline_cards

            offline_cards.keep_test_card(str(found.checkout.save_card_for), "4242")
        posted = event("checkout.session.completed", session_object(found, paid=True))
    else:
        # A declined payment ends this attempt, like a failed bank debit.
        posted = event("checkout.session.async_payment_failed", session_object(found, paid=False))
    payload = json.dumps(posted).encode()
    # Wall-clock time, not `clock`: the stripe library checks the signature's age against time.time().
    header = stripe_gateway.signature_header(payload, secret(stripe_gateway.WEBHOOK_SECRET), int(time.time()))
    deliver(webhook_url, payload, header)
    page = found.checkout.return_url or found.checkout.url.split("/checkout/offline/")[0]
    return f"{page}?payment={'success' if pay else 'cancelled'}"


def deliver(url: str, payload: bytes, header: str) -> None:
    """POST the event to the webhook, as Stripe would (tests route this through their client)."""
    if not url.startswith(("http://", "https://")):
        raise Conflict("The webhook URL must be http(s).")
    headers = {"Content-Type": "application/json", "Stripe-Signature": header}
    request = urllib.request.Request(url, data=payload, method="POST", headers=headers)  # noqa: S310 (checked above)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        if response.status != 200:
            raise Conflict("The local webhook refused the event.")
