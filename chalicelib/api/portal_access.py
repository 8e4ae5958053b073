"""Who is looking at a `/portal/{token}/…` route: the contact of a portal link, or of the
session cookie for `/portal/me/…` (a removed contact, a revoked link, another's session: 404).
A form posted to the portal is checked first: its path ids, then that our own page sent it.
A page of one tab answers 404 when the business hides that tab, as the tab itself does."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.api.files import current_session
from chalicelib.api.html import check_same_origin
from chalicelib.api.http import check_path_ids, client_ip
from chalicelib.services.payments import checkout
from chalicelib.services.portal import portal

if TYPE_CHECKING:
    from chalicelib.store.businesses import Business


def open_portal(request: Any, token: str) -> portal.PortalAccess:
    """The contact behind `token` (or, for `me`, the request's session)."""
    return portal.open_portal(token, current_session(request))


def open_portal_form(request: Any, token: str, path_ids: dict[str, str] | None = None) -> portal.PortalAccess:
    """The contact who posted a portal form: path ids of our shape (else 404), same origin
    only (else 403: another site made the browser post), then `open_portal`."""
    check_path_ids(path_ids or {})
    check_same_origin(request)
    return open_portal(request, token)


def open_portal_tab(request: Any, token: str, tab: str,
                    path_ids: dict[str, str] | None = None) -> tuple[portal.PortalAccess, Business]:
    """A page under one of the portal's tabs: path ids of our shape (else 404), the contact
    (`open_portal`), then the tab shown by the contact's business (else 404)."""
    check_path_ids(path_ids or {})
    access = open_portal(request, token)
    business = portal.business_for(access)
    portal.check_tab(business, tab)
    return access, business


def limit_pay_clicks(request: Any, access: portal.PortalAccess) -> None:
    """The checkout's click limit (services/payments/checkout.py) for a portal visitor: counted per
    portal link, or per contact when signed in (`me` has no link)."""
    checkout.limit_pay_clicks(access.token or f"{access.business_id}:{access.contact_id}", client_ip(request))
