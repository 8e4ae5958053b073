"""`/claim/{token}`: a claim link. Until claimed it shows the resource and asks for an email
address to verify; afterwards it says "already claimed" and nothing else."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.client_sign_in import already_claimed, check_email_page
from chalicelib.api.html import brand, check_same_origin, client_json, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, client_ip, form_or_json, user_agent
from chalicelib.api.urls import absolute_url
from chalicelib.domain.errors import Conflict
from chalicelib.domain.inputs import EmailInput
from chalicelib.services.delivery import claims

bp = Blueprint(__name__)


@bp.route("/claim/{token}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@page_errors(lambda: bp.current_request.headers)
def claim_page(token: str) -> Any:
    request = bp.current_request
    page = claims.open_claim(token, client_ip(request), user_agent(request))
    if page.claimed:
        return already_claimed()
    grant, resource = page.loaded.grant, page.loaded.resource
    live = resource or grant
    view: dict[str, Any] = {"claimed": False, "title": live.title, "description": resource.description if resource else None,
            "filename": live.filename, "size": int(live.size) if live.size is not None else None}
    if wants_json(request.headers):
        return client_json(view)
    business = page.loaded.business
    return render("claim.html", **view, business=brand(business) if business else None,
                  action=absolute_url(request, f"/claim/{token}"))


@bp.route("/claim/{token}", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@page_errors(lambda: bp.current_request.headers)
def start_claim(token: str) -> Any:
    request = bp.current_request
    check_same_origin(request)
    email = form_or_json(bp, EmailInput).email
    try:
        claims.start_claim(token, email, client_ip(request), absolute_url(request, ""))
    except Conflict:
        return already_claimed(409)
    return check_email_page(email)
