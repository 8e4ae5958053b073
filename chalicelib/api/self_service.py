"""A contact's own details from the portal: `POST /portal/{token}/account` (name, phone),
`POST /portal/{token}/account/email` (a new address, confirmed by the link emailed to it), and
`/email-change/{token}` (a button, so mail scanners cannot use the link up; the POST switches
the address, ends every old session and link, and signs the contact in afresh). Forms work
without JavaScript; JSON works too."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.client_sign_in import see_other
from chalicelib.api.html import brand, check_same_origin, client_json, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, client_ip, form_or_json
from chalicelib.api.portal_access import open_portal_form
from chalicelib.api.urls import absolute_url
from chalicelib.domain.self_service_inputs import EmailChangeInput, ProfileInput
from chalicelib.services.identity import client_sign_in, email_change
from chalicelib.services.portal import account, portal

bp = Blueprint(__name__)

def _errors() -> Any:
    return page_errors(lambda: bp.current_request.headers)


def _posted(token: str) -> portal.PortalAccess:
    """A portal form post: from our own pages, by a current contact, within the rate limit."""
    request = bp.current_request
    access = open_portal_form(request, token)
    account.limit_changes(access, client_ip(request))
    return access


@bp.route("/portal/{token}/account", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def save_profile(token: str) -> Any:
    access = _posted(token)
    saved = account.update_profile(access, form_or_json(bp, ProfileInput))
    if wants_json(bp.current_request.headers):
        return client_json(saved)
    return see_other(f"/portal/{token}?tab=account&notice=saved")


@bp.route("/portal/{token}/account/email", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def change_email(token: str) -> Any:
    access = _posted(token)
    request = bp.current_request
    new_email = form_or_json(bp, EmailChangeInput).email
    account.request_email_change(access, new_email, client_ip(request), absolute_url(request, ""))
    if wants_json(request.headers):
        return client_json({"sent": True}, 202)
    return render("self_service_message.html", status=202, business=brand(portal.business_for(access)),
                  heading="Check your new inbox",
                  message=f"We sent a link to {new_email}. Your address changes when you open it "
                          f"(within {email_change.LINK_HOURS} hours); until then nothing changes.",
                  back_url=absolute_url(request, f"/portal/{token}?tab=account"))


@bp.route("/email-change/{token}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def email_change_form(token: str) -> Any:
    item = email_change.pending(token)
    if wants_json(bp.current_request.headers):
        return client_json({"email": item.email})
    return render("self_service_message.html", business=None, heading="Confirm your new address",
                  message=f"Your account's email address becomes {item.email}. Every session and portal link "
                          "you have now ends, and you are signed in again here.",
                  action=absolute_url(bp.current_request, f"/email-change/{token}"), button="Confirm new address")


@bp.route("/email-change/{token}", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def confirm_email_change(token: str) -> Any:
    request = bp.current_request
    check_same_origin(request)
    changed = email_change.confirm(token)
    # The new address was just proven by this click: a fresh session at the new generation.
    cookie = client_sign_in.session_cookie(changed.business.business_id, changed.contact)
    if wants_json(request.headers):
        response = client_json({"changed": True, "email": changed.contact.email})
        response.headers["Set-Cookie"] = cookie
        return response
    return see_other(f"/portal/{portal.SESSION}?tab=account&notice=email", cookie)
