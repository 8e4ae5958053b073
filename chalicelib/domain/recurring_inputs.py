"""What staff send to make and change a recurring invoice (`/api/v1/recurring`)."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from chalicelib.domain.inputs import Id, Strict
from chalicelib.domain.recurrence import MAX_CYCLES

Frequency = Annotated[str, Meta(pattern=r"^(weekly|biweekly|monthly|quarterly|semiannually|yearly)\Z", extra={
    "means": "one of weekly, biweekly, monthly, quarterly, semiannually, yearly"})]
End = Annotated[str, Meta(pattern=r"^(never|after|on_date)\Z", extra={"means": "one of never, after, on_date"})]
CatchUp = Annotated[str, Meta(pattern=r"^(catch_up|skip)\Z", extra={"means": "catch_up or skip"})]
Cycles = Annotated[int, Meta(ge=1, le=MAX_CYCLES, extra={"unit": "invoices"})]


class RecurringInput(Strict, kw_only=True):
    """Repeat `invoice_id` (its client, lines, currency, notes, terms and files) on a schedule."""

    invoice_id: Id
    frequency: Frequency
    start_date: date
    end: End = "never"
    end_after: Cycles | None = None  # end == "after": how many invoices in all
    end_date: date | None = None  # end == "on_date": none after this date
    auto_send: bool = True  # False: each period's invoice waits as a draft
    auto_charge: bool = False  # charge the client's saved card when it is sent
    catch_up: CatchUp = "catch_up"  # late: one invoice per missed period, or skip to the current one


class RecurringUpdate(Strict, kw_only=True):
    frequency: Frequency | UnsetType = UNSET
    start_date: date | UnsetType = UNSET
    end: End | UnsetType = UNSET
    end_after: Cycles | UnsetType | None = UNSET
    end_date: date | UnsetType | None = UNSET
    auto_send: bool | UnsetType = UNSET
    auto_charge: bool | UnsetType = UNSET
    catch_up: CatchUp | UnsetType = UNSET
