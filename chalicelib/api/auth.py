"""Staff sign-in: email + password → Cognito tokens; refresh; who am I."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import ANY_CONTENT_TYPE, body, json_errors, json_response, staff_route
from chalicelib.domain.inputs import LoginInput, RefreshInput
from chalicelib.domain.permissions import VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.identity import staff_auth as auth

bp = Blueprint(__name__)


@bp.route("/api/v1/auth/login", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@json_errors
def login() -> Any:
    data = body(bp, LoginInput)
    return json_response(auth.login(data.email, data.password))


@bp.route("/api/v1/auth/refresh", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@json_errors
def refresh() -> Any:
    return json_response(auth.refresh(body(bp, RefreshInput).refresh_token))


@staff_route(bp, "/api/v1/me", VIEW)
def me(principal: Principal) -> Any:
    return json_response({
        "user_id": principal.user_id, "email": principal.email,
        "business_id": principal.business_id, "roles": list(principal.groups),
        "permissions": sorted(principal.permissions),
    })
