"""Shapes of what staff send to the developer API (webhook endpoints, API keys)."""
from __future__ import annotations

from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from chalicelib.domain.inputs import Name, ShortText, Strict
from chalicelib.domain.webhooks import EVENT_TYPES

Url = Annotated[str, Meta(min_length=8, max_length=2048, extra={"means": "an https:// address"})]
EventType = Annotated[str, Meta(pattern="^(" + "|".join(e.replace(".", r"\.") for e in EVENT_TYPES) + r")\Z",
                                extra={"means": "one of " + ", ".join(EVENT_TYPES)})]
Events = Annotated[list[EventType], Meta(min_length=1, max_length=len(EVENT_TYPES))]
Role = Annotated[str, Meta(pattern=r"^(owner|admin|staff|viewer)\Z", extra={"means": "owner, admin, staff or viewer"})]


class EndpointInput(Strict, kw_only=True):
    url: Url
    events: Events
    description: ShortText | None = None


class EndpointUpdate(Strict, kw_only=True):
    url: Url | UnsetType = UNSET
    events: Events | UnsetType = UNSET
    description: ShortText | UnsetType | None = UNSET
    enabled: bool | UnsetType = UNSET


class ApiKeyInput(Strict, kw_only=True):
    name: Name
    role: Role
