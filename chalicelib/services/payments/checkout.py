"""Paying an invoice online: validate against the live balance, then a Stripe Checkout
Session (or, locally without Stripe keys, the offline test-mode checkout). Nothing here
marks anything paid: only Stripe's webhook, through the payments worker, does."""
from __future__ import annotations

import contextlib
import hashlib
import json

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain import payments as pay_rules
from chalicelib.domain.errors import Conflict, NotFound, Unavailable, ValidationError
from chalicelib.domain.inputs import PayInput
from chalicelib.domain.money import parse_major
from chalicelib.services.payments import stripe_gateway
from chalicelib.services.portal.page_locale import page_locale, stored_client_locale
from chalicelib.services.portal.share_page import open_share_link
from chalicelib.store import documents as docs
from chalicelib.store.businesses import Business
from chalicelib.store.clients import billing_email
from chalicelib.store.rate_limits import hit_link
from chalicelib.store.table import conditional, iso

PER_IP, PER_LINK, WINDOW = 20, 10, 60  # Pay clicks per minute
OFFLINE_PREFIX = "cs_offline_"


def requested_amount(data: PayInput, currency: str, locale: str = "en_GB") -> int | None:
    """The amount the client asked to pay, typed as the page's `locale` writes amounts."""
    if data.amount is not None and data.amount_text:
        raise ValidationError("Send the amount once: as a number or as text, not both.", field="amount")
    if data.amount_text and data.amount_text.strip():
        try:
            return parse_major(data.amount_text, currency, locale)
        except ValueError as e:
            raise ValidationError(f"Enter an amount like 40.00 ({currency}).", field="amount_text") from e
    return data.amount


def limit_pay_clicks(token: str, ip: str | None) -> None:
    hit_link("pay", token, ip, PER_IP, PER_LINK, WINDOW, clock.now(),
             "Too many payment attempts. Wait a minute and try again.")


def start_payment(token: str, data: PayInput, ip: str | None, page_url: str, base_url: str) -> str:
    """Pay from the invoice page: the URL of the checkout (Stripe's, or the offline one)."""
    limit_pay_clicks(token, ip)
    business, document, stored = open_share_link(token)
    return start_payment_for(business, document, data, page_url, base_url,
                             page_locale(business, stored_client_locale(stored)))


def link_currency(token: str) -> str | None:
    """The currency of the invoice behind a share link (to word a refused amount), if any."""
    try:
        return str(open_share_link(token)[1].currency)
    except NotFound:
        return None


def start_payment_for(business: Business, document: docs.Document, data: PayInput, page_url: str, base_url: str,
                      locale: str = "en_GB") -> str:
    """Validate against the live balance, then create (or, for a repeated click, find) the checkout.
    `locale`: the page's, as the amount was typed."""
    if not stripe_gateway.online_payment_available(bool(business.stripe_enabled)):
        raise Conflict("This invoice cannot be paid online; contact the business.")
    amount = pay_rules.amount_to_pay(
        document.kind, document.status, document.balance, document.currency, requested_amount(data, document.currency, locale),
        pay_rules.PayTerms(bool(document.allow_partial), int(document.minimum_partial or 0)), locale)
    attempt = int(document.checkout_attempt or 0)
    params = checkout_params(business, document, amount, page_url)
    if data.save_card:  # the contact ticked "save this card": Stripe keeps it with the client's customer
        from chalicelib.services.payments.customers import keep_card

        keep_card(params, business.business_id, document.client_id)
    fingerprint = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
    key = pay_rules.idempotency_key(document.doc_id, amount, attempt, fingerprint)
    offline_id = f"{OFFLINE_PREFIX}{business.business_id}_{document.doc_id}_{key[-24:]}"
    session_id, url, offline = open_session(params, key, offline_id, base_url)
    now = iso(clock.now())
    record = docs.CheckoutSession(
        document.pk, docs.checkout_sk(session_id), session_id=session_id, doc_id=document.doc_id,
        business_id=business.business_id, amount=amount, currency=document.currency, attempt=attempt, url=url,
        return_url=page_url, offline=offline, created_at=now, updated_at=now,
        save_card_for=str(params["customer"]) if "customer" in params else None,
    )
    with contextlib.suppress(Conflict):  # a repeated click finds it recorded; never reopen a finished one
        conditional(lambda: record.save(condition=docs.CheckoutSession.pk.does_not_exist()), "Already recorded.")
    return url


def open_session(params: dict[str, object], key: str, offline_id: str, base_url: str) -> tuple[str, str, bool]:
    """A Checkout Session's id, URL and whether it is offline: Stripe's (`key`: its idempotency key)
    when Stripe is configured, else on local runs the offline checkout's, `offline_id`. Raises Unavailable."""
    if stripe_gateway.configured():
        session = stripe_gateway.create_checkout_session(params, key)
        return session.id, session.url, False
    if settings().is_local:
        # On its own origin when configured (`make dev`), so the redirect leaves the app's origin as Stripe's does.
        return offline_id, f"{offline_checkout_base(base_url)}/checkout/offline/{offline_id}", True
    raise Unavailable("Online payment is not configured.")


def offline_checkout_base(app_base_url: str) -> str:
    """Where the offline checkout is served: its own origin if configured (local runs only), else the app's."""
    config = settings()
    return (config.offline_checkout_url if config.is_local else "") or app_base_url


def expire_open_sessions(business_id: str, doc_id: str) -> int:
    """When an invoice is cancelled, close its open Stripe Checkout Sessions so nobody pays it
    later (a session stays open for 24 h). Best effort: a payment that still lands is held for refund."""
    _, items = docs.load_collection(business_id, doc_id)
    closed = 0
    for item in items:
        if isinstance(item, docs.CheckoutSession) and item.status == "open":
            if not item.offline:
                stripe_gateway.expire_checkout_session(item.session_id)
            item.update(actions=[docs.CheckoutSession.status.set("expired"),
                                 docs.CheckoutSession.updated_at.set(iso(clock.now()))])
            closed += 1
    return closed


def checkout_params(business: Business, document: docs.Document, amount: int, page_url: str) -> dict[str, object]:
    """The Checkout Session: one line for the invoice, ids in both metadata sets, back to the page."""
    ids = {"business_id": business.business_id, "doc_id": document.doc_id, "amount": str(amount)}
    params: dict[str, object] = {
        "mode": "payment",
        "line_items": [{
            "quantity": 1,
            "price_data": {
                "currency": document.currency.lower(), "unit_amount": pay_rules.to_stripe_units(amount, document.currency),
                "product_data": {"name": f"Invoice {document.number}", "description": f"{business.name}"},
            },
        }],
        "client_reference_id": document.doc_id,
        "metadata": ids,
        "payment_intent_data": {"metadata": ids, "description": f"Invoice {document.number} — {business.name}"},
        "success_url": f"{page_url}?payment=success",
        "cancel_url": f"{page_url}?payment=cancelled",
    }
    email = billing_email(business.business_id, document.client_id, document.bill_to.email)
    if email:
        params["customer_email"] = email
    return params
