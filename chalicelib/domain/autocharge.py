"""Rules of charging a saved card without the client present (pure: no AWS, no clock)."""
from __future__ import annotations

from datetime import date, timedelta

CHARGING, SUBMITTED, FAILED, PAID = "charging", "submitted", "failed", "paid"
# A claim whose run died while Stripe was being called is taken over after this long, with the
# same attempt number, hence the same idempotency key: Stripe answers with the charge it made.
STALE_CLAIM = timedelta(minutes=15)
CATCH_UP_DAYS = 7  # a scheduler that was down charges invoices that fell due this many days back
FREQUENCIES = ("weekly", "monthly")

_REASONS = {
    "authentication_required": "The bank asks the client to confirm this payment (3-D Secure).",
    "no_saved_card": "The client has no saved card.",
    "card_declined": "The card was declined.",
    "expired_card": "The card has expired.",
    "insufficient_funds": "The card has insufficient funds.",
}


def idempotency_key(business_id: str, doc_id: str, attempt: int) -> str:
    """One PaymentIntent per invoice and attempt, whoever asks and however often."""
    return f"autocharge-{business_id}-{doc_id}-{attempt}"


def failure_reason(code: str, stripe_message: str | None) -> str:
    """Why a charge failed, for staff: our words for the codes we know, Stripe's otherwise."""
    detail = (stripe_message or "").strip()
    if code == "card_declined" and detail and "card was declined" not in detail.lower():
        return f"The card was declined: {detail}"
    return _REASONS.get(code) or detail or "The charge failed."


def dates_to_check(today: date) -> list[date]:
    """The due dates whose auto-charge invoices a run charges: today and the catch-up window."""
    return [today - timedelta(days=n) for n in range(CATCH_UP_DAYS, -1, -1)]


def charge_date(first: date, number: int, frequency: str) -> date:
    """The date of charge `number` (0 = the first) of a repeating pre-payment: every week, or the
    same day of each month counted from the first (the month's last day when it is shorter)."""
    if frequency == "weekly":
        return first + timedelta(days=7 * number)
    months = first.month - 1 + number
    year, month = first.year + months // 12, months % 12 + 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(first.day, (next_month - timedelta(days=1)).day))
