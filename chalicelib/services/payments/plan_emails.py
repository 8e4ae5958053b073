"""The email (`email/prepayment_plan.html`) a client's contacts get when their repeating
pre-payment is stopped by staff or paused because it cannot be charged: what, why, and a link to
the portal's Pre-payment tab (each contact's own portal link: a resume is one click away)."""
from __future__ import annotations

import logging

from chalicelib.config import settings
from chalicelib.domain.errors import NotFound
from chalicelib.services.notifications.digest_email import contact_portal_token
from chalicelib.services.notifications.notifications import email_contact, recipients
from chalicelib.store import cards as store
from chalicelib.store.businesses import get_business
from chalicelib.store.clients import get_client

log = logging.getLogger("paydrop.payments")


def tell(plan: store.PrepaymentPlan, event: str, reason: str | None) -> None:
    """Email the client's invoice recipients that `plan` was `event` ("stopped" or "paused")."""
    business = get_business(plan.business_id)
    if business is None:
        return
    client = get_client(plan.business_id, plan.client_id)
    try:
        contacts = recipients(plan.business_id, plan.client_id)
    except NotFound:
        log.warning("pre-payment plan %s was %s and the client has no contact to tell", plan.plan_id, event)
        return
    data = {"event": event, "reason": reason, "amount": int(plan.amount), "currency": plan.currency,
            "frequency": plan.frequency, "remaining": max(int(plan.times) - int(plan.charged), 0)}
    for contact in contacts:
        token = contact_portal_token(plan.business_id, contact)
        url = f"{settings().public_base_url}/portal/{token}?tab=pre-payment"
        email_contact(business, contact, "documents", "prepayment_plan", {**data, "url": url},
                      client.locale if client else None)
