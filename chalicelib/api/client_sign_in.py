"""Client sign-in by one-time email link: `/signin/{business_id}` asks for the address,
`/signin/confirm/{token}` uses the link (a button press, so mail scanners cannot use it up),
`/signout` ends the session. Forms work without JavaScript; JSON works too."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.html import brand, check_same_origin, client_headers, client_json, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, check_path_ids, client_ip, form_or_json, new_nonce, user_agent
from chalicelib.api.urls import absolute_url
from chalicelib.domain.errors import Conflict
from chalicelib.domain.inputs import EmailInput
from chalicelib.services.delivery import claims
from chalicelib.services.identity import client_sessions, client_sign_in, contact_access
from chalicelib.services.portal.share_page import open_share_link

bp = Blueprint(__name__)


def _errors() -> Any:
    return page_errors(lambda: bp.current_request.headers)


def see_other(target: str, cookie: str | None = None) -> Response:
    """A 303 to one of our pages (made absolute: an execute-api URL carries the stage) or to
    an absolute URL we built (Stripe's checkout)."""
    headers = client_headers(new_nonce())
    headers["Location"] = target if target.startswith(("https://", "http://")) else absolute_url(bp.current_request, target)
    if cookie:
        headers["Set-Cookie"] = cookie
    return Response(body="", status_code=303, headers=headers)


def already_claimed(status: int = 200) -> Response:
    """All a claim URL says once claimed; nothing about what it was."""
    if wants_json(bp.current_request.headers):
        return client_json({"claimed": True}, status)
    return render("claim.html", status=status, claimed=True, business=None)


def check_email_page(email: str) -> Response:
    if wants_json(bp.current_request.headers):
        return client_json({"sent": True}, 202)
    return render("check_email.html", status=202, email=email)


def _sign_in_form(business: Any, path: str) -> Response:
    return render("sign_in.html", business=brand(business), action=absolute_url(bp.current_request, path))


def _request_sign_in(business_id: str) -> Response:
    check_same_origin(bp.current_request)
    email = form_or_json(bp, EmailInput).email
    request = bp.current_request
    client_sign_in.request_sign_in(business_id, email, client_ip(request), absolute_url(request, ""))
    return check_email_page(email)


@bp.route("/signin/{business_id}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def sign_in_form(business_id: str) -> Any:
    check_path_ids({"business_id": business_id})
    return _sign_in_form(client_sign_in.find_business(business_id), f"/signin/{business_id}")


@bp.route("/signin/{business_id}", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def request_sign_in(business_id: str) -> Any:
    check_path_ids({"business_id": business_id})
    return _request_sign_in(business_id)


# The same, reached from an invoice page: the share link names the business.
@bp.route("/invoice/{token}/signin", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def sign_in_from_invoice(token: str) -> Any:
    business, _, _ = open_share_link(token)
    return _sign_in_form(business, f"/invoice/{token}/signin")


@bp.route("/invoice/{token}/signin", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def request_sign_in_from_invoice(token: str) -> Any:
    business, _, _ = open_share_link(token)
    return _request_sign_in(business.business_id)


@bp.route("/signin/confirm/{token}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def confirm_form(token: str) -> Any:
    link = client_sign_in.pending_link(token)
    return render("confirm_sign_in.html", claiming=link.target_id.startswith("claim:"), email=link.email,
                  action=absolute_url(bp.current_request, f"/signin/confirm/{token}"))


@bp.route("/signin/confirm/{token}", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def confirm(token: str) -> Any:
    request = bp.current_request
    check_same_origin(request)
    used = client_sign_in.consume(token)
    contact, claimed = used.contact, False
    if used.claim_target is not None:
        try:
            contact, _ = claims.complete_claim(used.business_id, used.claim_target, used.email, client_ip(request),
                                               user_agent(request))
        except Conflict:
            return already_claimed(409)
        claimed = True
    assert contact is not None  # a sign-in link always names its contact; a claim made one
    cookie = client_sign_in.session_cookie(used.business_id, contact)
    if wants_json(request.headers):
        response = client_json({"signed_in": True, "claimed": claimed})
        response.headers["Set-Cookie"] = cookie
        return response
    return see_other("/files?claimed=1" if claimed else "/files", cookie)


@bp.route("/signout", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def sign_out() -> Any:
    """Sign out everywhere: clearing this browser's cookie is not enough (a copied or stolen
    cookie would still be valid for 30 days), so the contact's session generation moves on
    and every cookie it holds ends. Cross-site posts are refused (forced sign-out)."""
    request = bp.current_request
    check_same_origin(request)
    headers: Any = request.headers or {}
    session = client_sessions.read(headers.get("cookie"))
    if session is not None:
        contact_access.end_sessions(session)
    if wants_json(request.headers):
        response = client_json({"signed_in": False})
        response.headers["Set-Cookie"] = client_sessions.clear()
        return response
    return see_other("/files", client_sessions.clear())
