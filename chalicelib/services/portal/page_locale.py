"""The locale a client page is written in: the client's own (`Client.locale`), else its business's.

No read of its own: the portal reads the client with the contact (services/identity/contact_access),
the share link with the business (services/portal/share_page.open_share_link puts it among the
invoice's stored items).
"""
from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain import formatting
from chalicelib.store.businesses import Business
from chalicelib.store.clients import Client


def page_locale(business: Business, client_locale: str | None) -> str:
    return client_locale or formatting.locale_of(business)


def stored_client_locale(stored: Sequence[object]) -> str | None:
    """The locale of the client among an invoice's stored items, if it has one."""
    return next((c.locale for c in stored if isinstance(c, Client)), None)
