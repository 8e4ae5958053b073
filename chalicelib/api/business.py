"""The caller's business profile and branding."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api import present
from chalicelib.api.http import body, json_response, staff_route
from chalicelib.domain.inputs import BusinessUpdate, LogoUploadInput
from chalicelib.domain.permissions import MANAGE_BUSINESS, VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts import businesses

bp = Blueprint(__name__)


@staff_route(bp, "/api/v1/business", VIEW)
def get_business(principal: Principal) -> Any:
    b = businesses.business_of(principal)
    return json_response(present.business(b, businesses.logo_url(b)))


@staff_route(bp, "/api/v1/business", MANAGE_BUSINESS, methods=["PATCH"])
def update_business(principal: Principal) -> Any:
    b = businesses.update_profile(principal, body(bp, BusinessUpdate))
    return json_response(present.business(b, businesses.logo_url(b)))


@staff_route(bp, "/api/v1/business/logo-upload", MANAGE_BUSINESS, methods=["POST"])
def logo_upload(principal: Principal) -> Any:
    return json_response(businesses.presign_logo_upload(principal, body(bp, LogoUploadInput)), 201)
