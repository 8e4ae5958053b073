"""`/files`: a signed-in contact's files, and `/files/{token}`: a download link, decided at
the moment it is redeemed."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.html import brand, client_headers, page_errors, render
from chalicelib.api.http import ANY_CONTENT_TYPE, client_ip, new_nonce, user_agent
from chalicelib.api.urls import absolute_url
from chalicelib.domain.access import DENIAL_MESSAGES
from chalicelib.services.delivery.downloads import Redemption, redeem
from chalicelib.services.identity import client_sessions
from chalicelib.services.portal.client_files import files_page

bp = Blueprint(__name__)


def current_session(request: Any) -> client_sessions.ClientSession | None:
    return client_sessions.read((request.headers or {}).get("cookie"))


@bp.route("/files", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@page_errors(lambda: bp.current_request.headers)
def my_files() -> Any:
    request = bp.current_request
    params: Any = request.query_params or {}
    session = current_session(request)
    page = files_page(session, params.get("tag"), params.get("q"), absolute_url(request, "")) if session else None
    if session is None or page is None:
        return render("error.html", status=401, status_code=401,
                      message="Sign in with the link from your email to see your files.")
    return render("files.html", business=brand(page.business), email=page.contact.email, entries=page.entries,
                  tags=page.tags, tag=params.get("tag"), query=params.get("q"), claimed=params.get("claimed") == "1",
                  files_url=absolute_url(request, "/files"), sign_out_url=absolute_url(request, "/signout"),
                  locale=page.locale)


# What a refused download page says above the reason, and what the client can do next.
DENIAL_TITLES = {
    "revoked": "No longer available",
    "expired": "Access expired",
    "limit_reached": "Download limit reached",
    "awaiting_payment": "Available after payment",
    "not_released": "Not released yet",
}
NEXT_STEPS = {
    "revoked": "Write to {name} if you think this is a mistake.",
    "expired": "Ask {name} to renew your access.",
    "limit_reached": "Ask {name} for more downloads.",
    "awaiting_payment": "Pay the invoice from the link in your email: the file opens as soon as it is paid.",
    "not_released": "{name} will release it; it then appears in your files.",
}


@bp.route("/files/{token}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@page_errors(lambda: bp.current_request.headers)
def download(token: str) -> Any:
    request = bp.current_request
    result = redeem(token, client_ip(request), user_agent(request), current_session(request))
    if not result.allowed:
        return denied_page(result, request)
    headers = client_headers(new_nonce())
    headers["Location"] = str(result.location)
    return Response(body="", status_code=302, headers=headers)


def denied_page(result: Redemption, request: Any) -> Response:
    """A refusal in the business's colours: the file, why (in words), and what to do next.

    403 for every refusal: the link is real, this client may not use it now (a missing link
    is the 404 page). Tapping a used-up link used to give an unbranded page with one line."""
    business = result.business
    name = business.name if business else "the sender"
    return render("denied.html", status=403, title=result.title, heading=DENIAL_TITLES[result.reason],
                  message=DENIAL_MESSAGES[result.reason], next_step=NEXT_STEPS[result.reason].format(name=name),
                  business=brand(business) if business else None,
                  contact_email=business.email if business else None,
                  files_url=absolute_url(request, f"/signin/{business.business_id}") if business else None,
                  fresh_business_id=business.business_id if business else None)
