"""Staff preview every kind of email in their own branding: sample data, real templates.

`KINDS` lists each kind of email Paydrop sends (the template `email/<kind>.html`), who gets
it and the sample it is previewed with; `tests/services/notifications/test_email_render.py`
renders every one. A new kind of email adds its template and a line here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain.errors import NotFound
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts.businesses import business_of
from chalicelib.services.notifications import email_render
from chalicelib.store.businesses import Business


@dataclass(frozen=True)
class Kind:
    kind: str
    title: str  # what the dashboard lists
    audience: str  # "client" (a client's contact, with the preferences footer) or "staff" or "anyone"


KINDS = (
    Kind("invoice", "Invoice sent", "client"),
    Kind("reminder", "Payment reminder", "client"),
    Kind("receipt", "Receipt after payment", "client"),
    Kind("statement", "Statement of account", "client"),
    Kind("auto_charge_failed", "Card payment failed", "client"),
    Kind("digest", "Activity digest", "client"),
    Kind("sign_in", "Sign-in link", "anyone"),
    Kind("claim", "Claim a file", "anyone"),
    Kind("email_change", "Confirm a new email address", "anyone"),
    Kind("email_changed", "Email address changed", "anyone"),
    Kind("register", "Finish registering", "anyone"),
    Kind("quote_approved", "Quote approved (to your team)", "staff"),
    Kind("quote_declined", "Quote declined (to your team)", "staff"),
    Kind("message", "Other messages", "client"),
    Kind("purchase", "Receipt of a buy link purchase", "anyone"),  # issue 16: buy links
    Kind("prepayment_plan", "Repeating pre-payment paused or stopped", "client"),
)
BY_KIND = {k.kind: k for k in KINDS}


def sample(kind: str, business: Business, today: date) -> dict[str, Any]:
    """Plausible data for `kind` in `business`'s currency: what the preview shows."""
    base, currency = settings().public_base_url, business.currency or "EUR"
    invoice = f"{base}/invoice/sample-link?src=email"
    due = (today + timedelta(days=14)).isoformat()
    rows = [{"label": "Subtotal", "sign": "+", "amount": 81488},
            {"label": "Tax 20 %", "sign": "+", "amount": 16297, "rate_bp": 2000},
            {"label": "Total", "sign": "=", "amount": 97785}]
    samples: dict[str, dict[str, Any]] = {
        "invoice": {"number": "INV-0042", "total": 97785, "currency": currency, "due_date": due, "rows": rows,
                    "label_width": 10, "url": invoice},
        "reminder": {"number": "INV-0042", "balance": 97785, "currency": currency, "due_date": due, "days_left": 3,
                     "step": "before", "url": invoice},
        "receipt": {"number": "INV-0042", "total": 97785, "currency": currency, "url": invoice},
        "statement": {"client_name": "Northwind Traders", "start": date(today.year, 1, 1).isoformat(),
                      "end": today.isoformat(), "closing": [{"amount": 97785, "currency": currency}],
                      "url": f"{base}/statement/sample-link", "days": 30},
        "auto_charge_failed": {"number": "INV-0042", "balance": 97785, "currency": currency, "url": invoice,
                               "reason": "Your card was declined, so we could not take the payment."},
        "digest": _digest_sample(base),
        "sign_in": {"url": f"{base}/signin/confirm/sample-link", "minutes": 15},
        "claim": {"title": "Brand guidelines.pdf", "url": f"{base}/signin/confirm/sample-link", "minutes": 15},
        "email_change": {"url": f"{base}/email-change/sample-link", "hours": 24},
        "email_changed": {"masked_email": "a•••@example.com"},
        "register": {"name": "Ada Lovelace", "url": f"{base}/welcome/sample-link", "hours": 24},
        "quote_approved": {"number": "QUO-0007", "who": "Ada Lovelace", "total": 97785, "currency": currency,
                           "invoice_number": "INV-0043", "url": f"{base}/app/#/quotes"},
        "quote_declined": {"number": "QUO-0007", "reason": "We went with a smaller scope this year.",
                           "url": f"{base}/app/#/quotes"},
        "message": {"title": f"A note from {business.name}", "body": f"Hello,\n\nYour files are ready:\n{invoice}"},
        "purchase": {"title": "Brand design package", "number": "INV-0042", "total": 97785, "currency": currency,
                     "url": f"{base}/signin/confirm/sample-link", "hours": 24, "sign_in_url": f"{base}/signin/sample"},
        "prepayment_plan": {"event": "paused", "reason": "The card was declined.", "amount": 5000, "currency": currency,
                            "frequency": "monthly", "remaining": 4, "url": f"{base}/portal/sample-link?tab=pre-payment"},
    }
    return samples[kind]


def _digest_sample(base: str) -> dict[str, Any]:
    return {"items": [
        {"title": "New message from your team", "text": "The first drafts are ready for you.",
         "url": f"{base}/portal/sample-link/messages"},
        {"title": "Approval requested: Logo, version 2", "text": None,
         "url": f"{base}/portal/sample-link/projects/sample"}],
        "kinds": "messages, approval requests", "all_url": f"{base}/portal/sample-link/notifications"}


def kinds() -> list[dict[str, str]]:
    return [{"kind": k.kind, "title": k.title, "audience": k.audience} for k in KINDS]


def preview(principal: Principal, kind: str) -> dict[str, Any]:
    """The email of `kind` as the caller's business sends it, with sample data. NotFound for an unknown kind."""
    if kind not in BY_KIND:
        raise NotFound("There is no such kind of email.")
    business = business_of(principal)
    data = {**sample(kind, business, clock.today())}
    audience = BY_KIND[kind].audience
    if audience == "client":
        data["contact_name"] = "Ada"
    preferences = f"{settings().public_base_url}/email-preferences/sample-link" if audience == "client" else None
    rendered = email_render.render(kind, email_render.brand_of(business), data, preferences_url=preferences)
    return {"kind": kind, "title": BY_KIND[kind].title, "audience": audience, "locale": email_render.locale_of(business),
            "subject": rendered.subject, "text": rendered.text, "html": rendered.html}
