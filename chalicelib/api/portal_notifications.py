"""`/portal/{token}/notifications`: the contact's notification list (also `/portal/me/notifications`
for a signed-in contact), with "mark read" for one (`/{id}/read`) or all (`/all/read`): form posts,
same origin only."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.client_sign_in import see_other
from chalicelib.api.files import current_session
from chalicelib.api.html import brand, check_same_origin, client_json, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, check_path_ids
from chalicelib.api.urls import absolute_url
from chalicelib.services.notifications import inbox
from chalicelib.services.notifications.digest_email import portal_href
from chalicelib.services.portal import portal

bp = Blueprint(__name__)


def _errors() -> Any:
    return page_errors(lambda: bp.current_request.headers)


def _open(token: str) -> tuple[portal.PortalAccess, str]:
    """The checked portal (a removed contact, a revoked link, another's session: 404) and its inbox."""
    access = portal.open_portal(token, current_session(bp.current_request))
    return access, inbox.contact_recipient(access.client_id, access.contact_id)


@bp.route("/portal/{token}/notifications", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_notifications(token: str) -> Any:
    request = bp.current_request
    access, recipient = _open(token)
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
    check_path_ids({"notification_id": notification_id})
    request = bp.current_request
    check_same_origin(request)
    access, recipient = _open(token)
    inbox.mark_read(access.business_id, recipient, notification_id)
    return _after(token, access, recipient)


def _after(token: str, access: portal.PortalAccess, recipient: str) -> Any:
    if wants_json(bp.current_request.headers):
        return client_json(inbox.unread_count(access.business_id, recipient))
    return see_other(f"/portal/{token}/notifications")
