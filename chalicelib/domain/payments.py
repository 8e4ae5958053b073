"""Online payment rules: what a client may pay, and how Stripe's facts add up to an invoice's
amount paid. Pure: callers pass the facts."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.money import format_amount, minor_digits

# Stripe's minimum charge per currency, in minor units (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
# Currencies not listed use the 0.50 USD-equivalent rule of thumb of 50 minor units.
STRIPE_MINIMUM = {
    "USD": 50, "AED": 200, "AUD": 50, "BGN": 100, "BRL": 50, "CAD": 50, "CHF": 50, "CZK": 1500, "DKK": 250,
    "EUR": 50, "GBP": 30, "HKD": 400, "HUF": 17500, "INR": 50, "JPY": 50, "MXN": 1000, "MYR": 200, "NOK": 300,
    "NZD": 50, "PLN": 200, "RON": 200, "SEK": 300, "SGD": 50, "THB": 1000,
}
DEFAULT_STRIPE_MINIMUM = 50

# Kinds of ledger entries, and what each contributes to "amount paid".
PAYMENT, REFUND, DISPUTE, CREDIT = "payment", "refund", "dispute", "credit"
UNAPPLIED = "unapplied"  # money received that does not count toward the invoice: for staff to refund
DISPUTE_OPEN, DISPUTE_WON, DISPUTE_LOST, INQUIRY = "open", "won", "lost", "inquiry"

# Stripe's own minor units where they differ from ISO 4217 (docs.stripe.com/currencies):
# zero-decimal in Stripe though ISO gives 2 (MGA), and ISK, zero-decimal in ISO but sent ×100.
STRIPE_ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND",
                                 "VUV", "XAF", "XOF", "XPF"})
STRIPE_THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
STRIPE_MAXIMUM = 99_999_999  # in Stripe's units, for most currencies


def stripe_minimum(currency: str) -> int:
    return STRIPE_MINIMUM.get(currency.upper(), DEFAULT_STRIPE_MINIMUM)


@dataclass(frozen=True)
class PayTerms:
    """What the business allows on this invoice."""

    allow_partial: bool
    minimum_partial: int  # minor units; 0 = only Stripe's minimum applies


def amount_to_pay(kind: str, status: str, balance: int, currency: str, requested: int | None, terms: PayTerms,
                  locale: str = "en_GB") -> int:
    """The amount a client may pay now: the balance by default, or an allowed partial amount.
    A refusal names amounts as the client's page (`locale`) writes them."""
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
        raise ValidationError(f"The amount is more than the balance due ({format_amount(balance, currency, locale)}).",
                              field="amount")
    if amount < balance and not terms.allow_partial:
        raise ValidationError("This invoice must be paid in full.", field="amount")
    if amount < stripe_minimum(currency):
        raise ValidationError(f"Card payments start at {format_amount(stripe_minimum(currency), currency, locale)}.",
                              field="amount")
    if amount < balance and amount < terms.minimum_partial:
        raise ValidationError(f"The smallest part payment accepted is {format_amount(terms.minimum_partial, currency, locale)}.",
                              field="amount")
    to_stripe_units(amount, currency)  # refuse what a card payment cannot take, before calling Stripe
    return amount


def stripe_digits(currency: str) -> int:
    code = currency.upper()
    if code in STRIPE_ZERO_DECIMAL:
        return 0
    if code in STRIPE_THREE_DECIMAL:
        return 3
    return 2  # including ISK, which Stripe takes as two-decimal


def to_stripe_units(amount: int, currency: str) -> int:
    """Our ISO 4217 minor units → the amount Stripe expects; ValidationError if Stripe cannot charge it."""
    shift = stripe_digits(currency) - minor_digits(currency.upper())
    if shift < 0 and amount % 10 ** -shift:
        raise ValidationError(f"{format_amount(amount, currency)} cannot be paid by card: Stripe charges whole "
                              f"{currency.upper()}.", field="amount")
    units = amount * 10**shift if shift >= 0 else amount // 10 ** -shift
    if currency.upper() in STRIPE_THREE_DECIMAL and units % 10:
        raise ValidationError(f"Card payments in {currency.upper()} must end in 0 (Stripe's rule).", field="amount")
    if units > STRIPE_MAXIMUM:
        raise ValidationError("This amount is above what a card payment can take; contact the business.", field="amount")
    return units


def from_stripe_units(units: int, currency: str) -> int:
    """The amount Stripe reports → our ISO 4217 minor units."""
    shift = stripe_digits(currency) - minor_digits(currency.upper())
    return units // 10**shift if shift >= 0 else units * 10 ** -shift


def idempotency_key(doc_id: str, amount: int, attempt: int, fingerprint: str = "") -> str:
    """Same invoice, amount, attempt and request → same Checkout Session (a double click pays once);
    anything else in the request changed (a renamed business) → a new key, never a rejected replay."""
    return "checkout-" + hashlib.sha256(f"{doc_id}:{amount}:{attempt}:{fingerprint}".encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Entry:
    """One line of an invoice's ledger: a payment, a refund or a dispute."""

    kind: str
    amount: int  # positive minor units
    dispute_status: str | None = None


def received(entry: Entry) -> int:
    """What an entry adds to the money received toward the invoice: payments and credits add,
    a lost dispute takes its amount back (the card network returned it to the client). An open
    dispute, an inquiry or a won one moves nothing: until Stripe rules, the sale stands.
    Refunds are counted apart (`Settlement.refunded`): they never make the client owe again."""
    if entry.kind in (PAYMENT, CREDIT):
        return entry.amount
    if entry.kind == DISPUTE and entry.dispute_status == DISPUTE_LOST:
        return -entry.amount
    return 0  # refunds (apart), other disputes, money held for staff (wrong currency, cancelled invoice …)


@dataclass(frozen=True)
class Settlement:
    """An invoice's money, from its whole ledger, whatever order the facts arrived in."""

    amount_paid: int  # toward the total, within [0, total]: the balance due is total − amount_paid
    refunded: int  # of the amount paid, what the business gave back (refunds of an overpayment excluded)
    overpaid: int  # received beyond the total and not refunded yet: for staff to refund
    charged_back: int  # taken back by lost disputes


def settle(entries: Iterable[Entry], total: int) -> Settlement:
    """Settle the ledger against the total.

    A refund is the business's own decision to give money back, so it lowers what the client
    paid *net* but never reopens the balance (a 1.00 refund on a paid 100.00 invoice does not ask
    for 1.00 again). Refunds go to an overpayment first, then to the invoice's own money. A
    refund seen before its payment counts as nothing yet, and counts in full once it lands.
    """
    facts = list(entries)
    received_total = sum(received(e) for e in facts)
    refunds = sum(e.amount for e in facts if e.kind == REFUND)
    paid = max(0, min(total, received_total))
    excess = max(0, received_total - total)
    return Settlement(
        amount_paid=paid,
        refunded=min(paid, max(0, refunds - excess)),
        overpaid=max(0, excess - refunds),
        charged_back=sum(e.amount for e in facts if e.kind == DISPUTE and e.dispute_status == DISPUTE_LOST),
    )
