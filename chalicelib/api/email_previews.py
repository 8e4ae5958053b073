"""Emails as the business sends them: staff preview each kind (`/api/v1/email-previews`), and
`/brand/{business_id}/logo`, the lasting logo address the emails show."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.http import ANY_CONTENT_TYPE, check_path_ids, json_errors, json_response, staff_route
from chalicelib.domain.permissions import VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts import businesses
from chalicelib.services.notifications import email_previews

bp = Blueprint(__name__)


@staff_route(bp, "/api/v1/email-previews", VIEW)
def list_previews(principal: Principal) -> Any:
    return json_response({"kinds": email_previews.kinds()})


@staff_route(bp, "/api/v1/email-previews/{kind}", VIEW)
def get_preview(principal: Principal, kind: str) -> Any:
    return json_response(email_previews.preview(principal, kind))


@bp.route("/brand/{business_id}/logo", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@json_errors
def logo(business_id: str) -> Any:
    # A presigned GET lasts minutes; an email is read for years: redirect to a fresh one each
    # time, cached for less than it lasts.
    check_path_ids({"business_id": business_id})
    location = businesses.logo_location(business_id)
    return Response(body="", status_code=302, headers={"Location": location, "Cache-Control": "private, max-age=120",
                                                       "X-Content-Type-Options": "nosniff"})
