"""Make chalice's local Cognito authorizer tolerate tokens it cannot decode.

`chalice local` and `chalice.test.Client` decode (never verify) Cognito JWTs and crash
with a 500 on a token that is not a JWT at all. API Gateway answers 401 there; locally
we let the request through, and the app's own verification answers 401 as it does for
every bad token. Used by the dev server and the tests, never shipped to Lambda.
"""
from __future__ import annotations

from typing import Any

from chalice import local


def tolerate_undecodable_tokens() -> None:
    authorizer = local.LocalGatewayAuthorizer
    if getattr(authorizer, "_paydrop_patched", False):
        return
    original = authorizer._decode_jwt_payload

    def decode(self: Any, jwt: str) -> dict[str, Any]:
        try:
            claims = original(self, jwt)
        except Exception:  # noqa: BLE001 - any garbage: no claims, the app answers 401
            return {}
        return claims if isinstance(claims, dict) else {}

    authorizer._decode_jwt_payload = decode  # type: ignore[method-assign]
    authorizer._paydrop_patched = True  # type: ignore[attr-defined]
