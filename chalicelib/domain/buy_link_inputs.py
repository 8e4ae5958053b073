"""Shapes of buy links: what staff send to create or change one, and what a buyer sends from the
public page (a plain form: quantity and email). Limits live in the shapes, as in domain/inputs.py."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from chalicelib.domain.inputs import Email, Id, LongText, Name, ShortText, Strict

Quantity = Annotated[int, Meta(ge=1, le=1000, extra={"unit": "units"})]
Stock = Annotated[int, Meta(ge=0, le=1_000_000, extra={"unit": "units"})]
Mode = Annotated[str, Meta(pattern=r"^(payment|subscription)\Z", extra={"means": "payment or subscription"})]
Interval = Annotated[str, Meta(pattern=r"^(month|year)\Z", extra={"means": "month or year"})]
ProductIds = Annotated[list[Id], Meta(min_length=1, max_length=10)]
# A form sends text: the page's quantity field is digits, turned into a number by the rules.
QuantityText = Annotated[str, Meta(max_length=4, pattern=r"^[0-9]*\Z", extra={"means": "a whole number like 2"})]


class BuyLinkInput(Strict, kw_only=True):
    title: Name
    description: LongText | None = None
    product_ids: ProductIds
    mode: Mode = "payment"
    interval: Interval | None = None  # subscription mode only
    min_quantity: Quantity = 1
    max_quantity: Quantity = 1
    adjustable_quantity: bool = False
    allow_promotion_codes: bool = False
    stock: Stock | None = None  # units left; None: unlimited
    per_buyer_limit: Quantity | None = None
    expires_at: datetime | None = None


class BuyLinkUpdate(Strict, kw_only=True):
    title: Name | UnsetType = UNSET
    description: LongText | UnsetType | None = UNSET
    min_quantity: Quantity | UnsetType = UNSET
    max_quantity: Quantity | UnsetType = UNSET
    adjustable_quantity: bool | UnsetType = UNSET
    allow_promotion_codes: bool | UnsetType = UNSET
    stock: Stock | UnsetType | None = UNSET
    per_buyer_limit: Quantity | UnsetType | None = UNSET
    expires_at: datetime | UnsetType | None = UNSET


class BuyInput(Strict, kw_only=True):
    """The buyer's form: an address for the receipt and the portal, and a quantity if allowed."""

    email: Email
    name: ShortText | None = None
    quantity: QuantityText | Quantity | None = None  # text from the form; a number from JSON

    def asked_quantity(self) -> int | None:
        if isinstance(self.quantity, int):
            return self.quantity
        return int(self.quantity) if self.quantity else None
