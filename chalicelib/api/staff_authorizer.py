"""API Gateway's check in front of every staff route: a Chalice built-in (Lambda, TOKEN) authorizer.

It lets a request through when its `Authorization` header carries a Cognito ID token of the stage's
user pool (`staff_auth.verify_id_token`) or a live personal API key (`Bearer pd_live_…`, looked up by
its hash), and turns everything else away before the API function runs. API Gateway's Cognito
authorizer could not: it refuses an API key. The app still checks every request itself
(`http.staff_principal`), so a key revoked while an "allow" is cached here is refused at once.
"""
from __future__ import annotations

import logging
from typing import Any

from chalice import AuthResponse, Blueprint
from chalice.app import AuthRequest

from chalicelib.domain.errors import Forbidden, Unauthorized
from chalicelib.services.developer import api_keys
from chalicelib.services.identity.staff_auth import verify_id_token

log = logging.getLogger("paydrop.authorizer")
bp = Blueprint(__name__)
# API Gateway caches the answer per Authorization value for this long: one Lambda call a minute per
# caller instead of one a request. A revoked key or a deleted user is still refused by the app at once.
TTL_SECONDS = 60


def credential(header: str) -> str:
    """The token of `Bearer <token>`, or a bare JWT (as the Cognito authorizer took, and as
    `http.bearer_token` does); anything else is no credential."""
    value = header.strip()
    if value.count(".") == 2 and " " not in value:
        return value
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def principal_id(token: str) -> str | None:
    """Who `token` is (a key's `apikey:<id>` or the Cognito user's sub), or None: turn it away.

    A sign-in service that cannot be reached raises (API Gateway answers 500 and caches nothing).
    """
    if token.startswith(api_keys.KEY_PREFIX):
        return api_keys.live_key_id(token)
    try:
        return verify_id_token(token).user_id
    except (Unauthorized, Forbidden):
        return None


def _deny(request: AuthRequest) -> dict[str, Any]:
    # An explicit Deny (403 "User is not authorized to access this resource"), cached like an allow.
    return {"principalId": "anonymous", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": [request.method_arn]}]}}


@bp.authorizer(ttl_seconds=TTL_SECONDS, name="staff_authorizer")
def staff_authorizer(request: AuthRequest) -> AuthResponse | dict[str, Any]:
    token = credential(request.token or "")
    who = principal_id(token) if token else None
    if who is None:
        log.info("staff request turned away by the authorizer")
        return _deny(request)
    # Every staff route: the cached answer serves the caller's next requests to any route.
    return AuthResponse(routes=["*"], principal_id=who)
