"""The locale a client page is written in: the client's own (`Client.locale`), else its business's."""
from __future__ import annotations

from chalicelib.domain import formatting
from chalicelib.store.businesses import Business
from chalicelib.store.clients import get_client


def page_locale(business: Business, client_id: str | None) -> str:
    """One read of the client (none without one): its locale overrides the business's."""
    client = get_client(business.business_id, client_id) if client_id else None
    return formatting.locale_of(business, client)
