"""Make chalice's local gateway refuse staff requests as the deployed API Gateway does.

`chalice local` and `chalice.test.Client` run the staff authorizer (api/staff_authorizer.py) like
API Gateway, but answer a refusal with chalice's own bodies (403 for a denial) and crash when the
authorizer raises. The deployed API answers with `RestAPI.GatewayResponses` of infra/resources.json;
this answers locally with the same ones. Used by the dev server and the tests, never shipped to Lambda.
"""
from __future__ import annotations

from typing import Any

from chalice import local

GATEWAY_RESPONSE_OF = {local.NotAuthorizedError: "UNAUTHORIZED", local.ForbiddenError: "ACCESS_DENIED"}


def gateway_responses_as_in_the_cloud() -> None:
    """Answer the local gateway's refusals as the deployed API does: infra/resources.json sets
    `RestAPI.GatewayResponses` (our error shape, 401 for no or a refused credential, 503 when the
    staff authorizer fails); chalice's local gateway would answer its own bodies (or crash)."""
    authorizer = local.LocalGatewayAuthorizer
    if getattr(authorizer, "_paydrop_responses", False):
        return
    original = authorizer.authorize
    responses = _gateway_responses()

    def authorize(self: Any, raw_path: str, lambda_event: Any, lambda_context: Any) -> Any:
        try:
            return original(self, raw_path, lambda_event, lambda_context)
        except (local.NotAuthorizedError, local.ForbiddenError) as refused:
            raise _as_configured(responses[GATEWAY_RESPONSE_OF[type(refused)]], refused.headers) from refused
        except local.LocalGatewayException:
            raise
        except Exception as failed:  # the authorizer raised (JWKS unreachable): AUTHORIZER_FAILURE
            raise _as_configured(responses["AUTHORIZER_FAILURE"], {}) from failed

    authorizer.authorize = authorize  # type: ignore[method-assign]
    authorizer._paydrop_responses = True  # type: ignore[attr-defined]


def _gateway_responses() -> dict[str, Any]:
    import json
    from pathlib import Path

    template = json.loads((Path(__file__).resolve().parent.parent / "infra" / "resources.json").read_text())
    return template["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]  # type: ignore[no-any-return]


def _as_configured(response: dict[str, Any], headers: dict[str, str]) -> local.LocalGatewayException:
    error = local.LocalGatewayException(
        {**headers, "Content-Type": "application/json",
         **{name: value.strip("'") for name, value in response["ResponseParameters"]["Headers"].items()}},
        response["ResponseTemplates"]["application/json"].encode())
    error.CODE = response["StatusCode"]
    return error
