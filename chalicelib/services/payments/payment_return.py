"""What the invoice page shows when the client comes back from the checkout (`?payment=success`).

The page never guesses: Stripe's webhook, through the payments worker, records the payment a
moment after the client is sent back. Until it lands the page offers no Pay button (a second
payment is the last thing a client who just paid needs) and reloads itself with
`<meta http-equiv="refresh">` — no JavaScript, which the CSP forbids anyway — a bounded number
of times, then says plainly that confirming takes longer and links to the page. Once the
payment is recorded it shows the receipt. Reads nothing: it looks at what the page loaded.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from chalicelib.services.billing.ledger import in_step
from chalicelib.store import documents as docs

CONFIRMING, SLOW, RECEIVED, FAILED = "confirming", "slow", "received", "failed"
REFRESH_SECONDS = 3
MAX_CHECKS = 10  # 10 reloads × 3 s: a webhook is normally seconds late; beyond that, say so


@dataclass(frozen=True)
class PaymentReturn:
    state: str  # confirming | slow | received | failed
    refresh_url: str | None = None  # set while the page should reload itself
    refresh_seconds: int = REFRESH_SECONDS
    check_again_url: str | None = None  # the plain link once the page stops reloading
    receipt: dict[str, Any] | None = None  # amount, date, reference of the payment that landed

    @property
    def pending(self) -> bool:
        return self.state in (CONFIRMING, SLOW)


def check_number(params: Any) -> int:
    """`?check=N`: how many times the page has reloaded itself (anything odd counts as 0)."""
    value = str((params or {}).get("check") or "0")
    return min(int(value), MAX_CHECKS) if value.isdigit() and len(value) <= 3 else 0


def _url(page_url: str, check: int) -> str:
    return f"{page_url}?{urlencode({'payment': 'success', 'check': check})}"


def payment_return(document: docs.Document, stored: Sequence[object], page_url: str,
                   check: int) -> PaymentReturn | None:
    """The state of the checkout the client just came back from: the newest one this invoice
    started (a repeated click reuses its session, so the newest is the one just paid).
    None when the invoice never started one (a hand-typed `?payment=success`)."""
    sessions = [i for i in stored if isinstance(i, docs.CheckoutSession)]
    if not sessions:
        return None
    latest = max(sessions, key=lambda s: s.created_at)
    landed = [p for p in stored if isinstance(p, docs.Payment) and p.stripe_checkout_session == latest.session_id
              and p.kind in ("payment", "unapplied")]
    if landed and in_step(document, stored):  # until the invoice counts it, keep confirming
        paid = landed[0]
        return PaymentReturn(RECEIVED, receipt={
            "amount": int(paid.amount), "currency": paid.currency, "date": paid.received_on,
            "reference": paid.stripe_payment_intent or paid.payment_id, "held": paid.kind == "unapplied"})
    if not landed and latest.status in ("failed", "expired"):
        return PaymentReturn(FAILED)
    if check < MAX_CHECKS:
        return PaymentReturn(CONFIRMING, refresh_url=_url(page_url, check + 1))
    return PaymentReturn(SLOW, check_again_url=_url(page_url, 0))
