"""Shapes of what a subscriber sends from the portal (a plan change) and staff's list filter."""
from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from chalicelib.domain.inputs import Strict

# A Stripe price id (or the offline stand-in's): letters, digits and underscores.
PriceId = Annotated[str, Meta(min_length=6, max_length=120, pattern=r"^price_[A-Za-z0-9_]+\Z",
                              extra={"means": "one of the plans shown"})]
SubscriptionId = Annotated[str, Meta(min_length=4, max_length=120, pattern=r"^sub_[A-Za-z0-9_]+\Z")]


class PlanChange(Strict, kw_only=True):
    """Switch to another of the business's plans (Stripe prorates the difference)."""

    price_id: PriceId
