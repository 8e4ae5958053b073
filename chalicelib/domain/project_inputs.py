"""Shapes of what staff send about milestones (projects themselves: `domain/inputs.py`)."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from chalicelib.domain.inputs import Id, LongText, Name, Strict

MAX_MILESTONES = 100  # of one project: a timeline a person reads, and one page of the portal


class MilestoneInput(Strict, kw_only=True):
    title: Name
    description: LongText | None = None
    due_date: date | None = None
    # "done" only through completing it (which issues its invoice): not set directly.
    status: Annotated[str, Meta(pattern=r"^(planned|active)\Z", extra={"means": "planned or active"})] = "planned"
    invoice_id: Id | None = None  # the invoice this milestone bills through (the project's client's)


class MilestoneUpdate(Strict, kw_only=True):
    title: Name | UnsetType = UNSET
    description: LongText | UnsetType | None = UNSET
    due_date: date | UnsetType | None = UNSET
    status: Annotated[str, Meta(pattern=r"^(planned|active)\Z", extra={"means": "planned or active"})] | UnsetType = UNSET
    invoice_id: Id | UnsetType | None = UNSET


class MilestoneOrder(Strict, kw_only=True):
    """The project's milestones, every one of them, in their new order."""

    order: Annotated[list[Id], Meta(max_length=MAX_MILESTONES)]
