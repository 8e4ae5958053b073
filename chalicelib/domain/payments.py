"""Online payment rules: what a client may pay, and how Stripe's facts add up to an invoice's
amount paid. Pure: callers pass the facts."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.money import format_amount

# Stripe's minimum charge per currency, in minor units (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
# Currencies not listed use the 0.50 USD-equivalent rule of thumb of 50 minor units.
STRIPE_MINIMUM = {
    "USD": 50, "AED": 200, "AUD": 50, "BGN": 100, "BRL": 50, "CAD": 50, "CHF": 50, "CZK": 1500, "DKK": 250,
    "EUR": 50, "GBP": 30, "HKD": 400, "HUF": 17500, "INR": 50, "JPY": 50, "MXN": 1000, "MYR": 200, "NOK": 300,
    "NZD": 50, "PLN": 200, "RON": 200, "SEK": 300, "SGD": 50, "THB": 1000,
}
DEFAULT_STRIPE_MINIMUM = 50

# Kinds of ledger entries, and what each contributes to "amount paid".
PAYMENT, REFUND, DISPUTE = "payment", "refund", "dispute"
DISPUTE_OPEN, DISPUTE_WON, DISPUTE_LOST = "open", "won", "lost"


def stripe_minimum(currency: str) -> int:
    return STRIPE_MINIMUM.get(currency.upper(), DEFAULT_STRIPE_MINIMUM)


@dataclass(frozen=True)
class PayTerms:
    """What the business allows on this invoice."""

    allow_partial: bool
    minimum_partial: int  # minor units; 0 = only Stripe's minimum applies


def amount_to_pay(kind: str, status: str, balance: int, currency: str, requested: int | None, terms: PayTerms) -> int:
    """The amount a client may pay now: the balance by default, or an allowed partial amount."""
    if kind != rules.INVOICE:
        raise Conflict("Only invoices can be paid.")
    if status == rules.DRAFT:
        raise Conflict("This invoice has not been sent yet.")
    if status == rules.PAID or (status in rules.OPEN_STATUSES and balance <= 0):
        raise Conflict("This invoice is already paid.")
    if status not in rules.OPEN_STATUSES:
        raise Conflict(f"A {status} invoice cannot be paid.")
    amount = balance if requested is None else requested
    if amount <= 0:
        raise ValidationError("The amount must be positive.", field="amount")
    if amount > balance:
        raise ValidationError(f"The amount is more than the balance due ({format_amount(balance, currency)}).",
                              field="amount")
    if amount < balance and not terms.allow_partial:
        raise ValidationError("This invoice must be paid in full.", field="amount")
    if amount < stripe_minimum(currency):
        raise ValidationError(f"Card payments start at {format_amount(stripe_minimum(currency), currency)}.",
                              field="amount")
    if amount < balance and amount < terms.minimum_partial:
        raise ValidationError(f"The smallest part payment accepted is {format_amount(terms.minimum_partial, currency)}.",
                              field="amount")
    return amount


def idempotency_key(doc_id: str, amount: int, attempt: int) -> str:
    """Same invoice, amount and attempt → same Checkout Session (a double click pays once)."""
    return "checkout-" + hashlib.sha256(f"{doc_id}:{amount}:{attempt}".encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Entry:
    """One line of an invoice's ledger: a payment, a refund or a dispute."""

    kind: str
    amount: int  # positive minor units
    dispute_status: str | None = None


def contribution(entry: Entry) -> int:
    """What an entry adds to the amount paid: payments add, refunds subtract, an open or lost
    dispute subtracts (Stripe takes the money back when it opens), a won one gives it back."""
    if entry.kind == PAYMENT:
        return entry.amount
    if entry.kind == REFUND:
        return -entry.amount
    return 0 if entry.dispute_status == DISPUTE_WON else -entry.amount


def amount_paid(entries: Iterable[Entry], total: int) -> int:
    """The invoice's amount paid from its whole ledger, whatever order the facts arrived in.

    Kept within [0, total]: a refund seen before its payment counts as nothing yet, and money
    beyond the total is an overpayment for staff to refund, never a negative balance.
    """
    return max(0, min(total, sum(contribution(e) for e in entries)))


def overpaid(entries: Iterable[Entry], total: int) -> int:
    return max(0, sum(contribution(e) for e in entries) - total)
