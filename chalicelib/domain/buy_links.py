"""Buy links: the pure rules of selling through a public page (no AWS, no clock).

A link is open unless paused, past its expiry or sold out; a purchase asks for a quantity the
link allows (its min/max per purchase, fixed unless the buyer may change it) and that the buyer's
own limit (per email address, over every purchase and open checkout) still leaves room for.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.errors import Conflict, ValidationError

PAYMENT, SUBSCRIPTION = "payment", "subscription"
MODES = (PAYMENT, SUBSCRIPTION)
INTERVALS = ("month", "year")
OPEN, PAUSED, EXPIRED, SOLD_OUT = "open", "paused", "expired", "sold_out"
# Stripe's minimum lifetime of a Checkout Session: units stay reserved this long at most.
RESERVATION_MINUTES = 30
# A checkout paid by a bank debit completes before the money clears (Stripe: up to 14 business
# days); its units stay held this long, until async_payment_succeeded or _failed says how it ended.
DELAYED_PAYMENT_DAYS = 21
MAX_PRODUCTS = 10
MAX_QUANTITY = 1000

CLOSED_WORDS = {
    PAUSED: "This offer is paused for now. Try again later.",
    EXPIRED: "This offer has ended.",
    SOLD_OUT: "Sold out.",
}


@dataclass(frozen=True)
class QuantityRule:
    minimum: int
    maximum: int
    adjustable: bool  # False: every purchase is exactly `minimum`


def state(paused: bool, expires_at: datetime | None, stock: int | None, now: datetime, minimum: int = 1) -> str:
    """What a buyer is told: open, paused, expired or sold out (in that order of precedence).
    Sold out when fewer are left than the least a purchase may be: 2 left of a "3 or more" offer
    cannot be bought, so the page must not offer it."""
    if paused:
        return PAUSED
    if expires_at is not None and now >= expires_at:
        return EXPIRED
    if stock is not None and stock < max(1, minimum):
        return SOLD_OUT
    return OPEN


def too_few_words(left: int | None) -> str:
    """What a buyer who asked for more than is left is told: sold out only when nothing is."""
    return f"Only {left} left." if left is not None and left > 0 else CLOSED_WORDS[SOLD_OUT]


def check_rule(rule: QuantityRule) -> None:
    if rule.minimum < 1 or rule.maximum > MAX_QUANTITY:
        raise ValidationError(f"Quantities must be between 1 and {MAX_QUANTITY}.", field="min_quantity")
    if rule.maximum < rule.minimum:
        raise ValidationError("The most per purchase must be at least the least per purchase.", field="max_quantity")


def quantity_asked(rule: QuantityRule, asked: int | None) -> int:
    """The quantity of this purchase: the fixed one, or what the buyer asked within the rule."""
    if not rule.adjustable or asked is None:
        return rule.minimum
    if not rule.minimum <= asked <= rule.maximum:
        raise ValidationError(f"Choose a quantity from {rule.minimum} to {rule.maximum}.", field="quantity")
    return asked


def check_buyer_room(limit: int | None, already: int, quantity: int) -> None:
    """The buyer's own limit (per email address) across every purchase and open checkout."""
    if limit is None or already + quantity <= limit:
        return
    left = max(0, limit - already)
    raise Conflict(f"You can buy at most {limit} of this; {left} more for this email address."
                   if left else f"You have already bought the most allowed ({limit}) with this email address.")


def stripe_line(name: str, quantity: int, unit_gross: int, line_total: int) -> tuple[int, int, str]:
    """(quantity, unit amount, label) for Stripe: the quantity and per-unit price when they make
    the invoice's line total exactly; else one unit of the whole line, so what Stripe charges is
    always what the invoice says."""
    if unit_gross * quantity == line_total:
        return quantity, unit_gross, name
    return 1, line_total, f"{name} × {quantity}"
