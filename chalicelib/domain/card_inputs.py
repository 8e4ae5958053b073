"""Shapes of what clients send about saved cards and pre-payments (portal forms arrive as text)."""
from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from chalicelib.domain.inputs import Strict

MIN_TIMES, MAX_TIMES = 2, 24


class PrepaymentInput(Strict, kw_only=True):
    """A pre-payment: an amount as typed ("50.00"), optionally repeated `times` times in all."""

    amount_text: Annotated[str, Meta(min_length=1, max_length=20, pattern=r"^\s*[0-9][0-9,. ]*\Z",
                                     extra={"means": "an amount like 40.00"})]
    repeat: Annotated[str, Meta(pattern=r"^(|once|weekly|monthly)\Z")] | None = None
    times: Annotated[str, Meta(max_length=3, pattern=r"^\s*[0-9]{0,2}\s*\Z", extra={"means": "a number of times"})] | None = None


class TestCardChoice(Strict, kw_only=True):
    """The offline checkout's test cards (Stripe's test numbers, by their last four digits)."""

    card: Annotated[str, Meta(pattern=r"^(4242|0341|3155)\Z")]
