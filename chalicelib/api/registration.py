"""Self-registration: the public page `/register/{token}` (form, then "check your email", the
same whatever the address), the emailed `/welcome/{token}` (a button: the POST creates the
client and signs its contact in), and the staff setting under `/api/v1/business/self-registration`
(on/off, the page's URL, rotating it)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.client_sign_in import see_other
from chalicelib.api.html import brand, check_same_origin, client_json, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, body, client_ip, form_or_json, json_response, staff_route
from chalicelib.api.urls import absolute_url
from chalicelib.domain.permissions import MANAGE_BUSINESS, VIEW
from chalicelib.domain.principal import Principal
from chalicelib.domain.self_service_inputs import RegistrationInput, SelfRegistrationSetting
from chalicelib.services.identity import client_sign_in
from chalicelib.services.portal import portal, registration

bp = Blueprint(__name__)


def _errors() -> Any:
    return page_errors(lambda: bp.current_request.headers)


@bp.route("/register/{token}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def register_form(token: str) -> Any:
    business = registration.open_page(token)
    if wants_json(bp.current_request.headers):
        return client_json({"business": business.name})
    return render("register.html", business=brand(business), action=absolute_url(bp.current_request, f"/register/{token}"))


@bp.route("/register/{token}", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def register(token: str) -> Any:
    request = bp.current_request
    check_same_origin(request)
    business = registration.open_page(token)
    data = form_or_json(bp, RegistrationInput)
    registration.register(business, data, client_ip(request), absolute_url(request, ""))
    if wants_json(request.headers):
        return client_json({"sent": True}, 202)
    # The same words for a known and a new address: the page must not tell who is a client.
    return render("self_service_message.html", status=202, business=brand(business), heading="Check your email",
                  message=f"We sent a link to {data.email}. Open it to continue; it works once, "
                          f"for {registration.LINK_HOURS} hours at most.")


@bp.route("/welcome/{token}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def welcome_form(token: str) -> Any:
    item = registration.pending(token)
    if wants_json(bp.current_request.headers):
        return client_json({"email": item.email})
    return render("self_service_message.html", business=None, heading="Finish registering",
                  message=f"Your account is created for {item.email} when you continue.",
                  action=absolute_url(bp.current_request, f"/welcome/{token}"), button="Create my account")


@bp.route("/welcome/{token}", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def welcome(token: str) -> Any:
    request = bp.current_request
    check_same_origin(request)
    done = registration.complete(token)
    cookie = client_sign_in.session_cookie(done.business.business_id, done.contact)
    if wants_json(request.headers):
        response = client_json({"created": done.created, "client_id": done.contact.client_id})
        response.headers["Set-Cookie"] = cookie
        return response
    return see_other(f"/portal/{portal.SESSION}", cookie)


@staff_route(bp, "/api/v1/business/self-registration", VIEW)
def get_setting(principal: Principal) -> Any:
    return json_response(registration.setting(principal, absolute_url(bp.current_request, "")))


@staff_route(bp, "/api/v1/business/self-registration", MANAGE_BUSINESS, methods=["PUT"])
def put_setting(principal: Principal) -> Any:
    """`{"enabled": true|false}` → `{"enabled", "url"}`."""
    data = body(bp, SelfRegistrationSetting)
    return json_response(registration.set_enabled(principal, data.enabled, absolute_url(bp.current_request, "")))


@staff_route(bp, "/api/v1/business/self-registration/rotate", MANAGE_BUSINESS, methods=["POST"])
def rotate(principal: Principal) -> Any:
    return json_response(registration.rotate(principal, absolute_url(bp.current_request, "")))
