"""What a client types into "Email me a fresh link" on a dead-end page: its address, and the
business the dead link belonged to when the page knew it (a hidden field)."""
from __future__ import annotations

from msgspec import UNSET, UnsetType

from chalicelib.domain.inputs import Email, Id, Strict


class FreshLinkInput(Strict, kw_only=True):
    email: Email
    business_id: Id | UnsetType = UNSET
