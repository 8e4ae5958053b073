"""`/portal/{token}/notifications`: the contact's notification list (also `/portal/me/notifications`
for a signed-in contact), with "mark read" for one (`/{id}/read`) or all (`/all/read`): form posts,
same origin only."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.client_sign_in import see_other
from chalicelib.api.html import brand, client_json, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE
from chalicelib.api.portal_access import open_portal, open_portal_form
from chalicelib.api.urls import absolute_url
from chalicelib.services.notifications import inbox
from chalicelib.services.notifications.digest_email import portal_href
from chalicelib.services.portal import portal

bp = Blueprint(__name__)


def _errors() -> Any:
    return page_errors(lambda: bp.current_request.headers)


def _inbox_of(access: portal.PortalAccess) -> str:
    """The contact's inbox; `access` is checked already (api/portal_access.py: a removed contact,
    a revoked link, another's session are a 404)."""
    return inbox.contact_recipient(access.client_id, access.contact_id)


@bp.route("/portal/{token}/notifications", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_notifications(token: str) -> Any:
    request = bp.current_request
    access = open_portal(request, token)
    recipient = _inbox_of(access)
    base = absolute_url(request, f"/portal/{token}")
    params: Any = request.query_params or {}
    view = inbox.page(access.business_id, recipient, params.get("cursor"), lambda n: portal_href(base, n.portal_path))
    if wants_json(request.headers):
        return client_json(view)
    return render("portal_notifications.html", business=brand(portal.business_for(access)), view=view, base=base,
                  locale=portal.reader_locale(access))


@bp.route("/portal/{token}/notifications/{notification_id}/read", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_notification_read(token: str, notification_id: str) -> Any:
    access = open_portal_form(bp.current_request, token, {"notification_id": notification_id})
    recipient = _inbox_of(access)
    inbox.mark_read(access.business_id, recipient, notification_id)
    return _after(token, access, recipient)


def _after(token: str, access: portal.PortalAccess, recipient: str) -> Any:
    if wants_json(bp.current_request.headers):
        return client_json(inbox.unread_count(access.business_id, recipient))
    return see_other(f"/portal/{token}/notifications")
