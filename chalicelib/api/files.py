"""`/files/{token}`: a client's download link, decided at the moment it is redeemed."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.html import client_headers, page_errors, render
from chalicelib.api.http import ANY_CONTENT_TYPE, new_nonce
from chalicelib.domain.access import DENIAL_MESSAGES
from chalicelib.services.downloads import redeem

bp = Blueprint(__name__)


def source_ip(request: Any) -> str | None:
    """The address API Gateway saw (not a spoofable X-Forwarded-For chain)."""
    return ((request.context or {}).get("identity") or {}).get("sourceIp")


@bp.route("/files/{token}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@page_errors(lambda: bp.current_request.headers)
def download(token: str) -> Any:
    request = bp.current_request
    headers_in: Any = request.headers or {}
    result = redeem(token, source_ip(request), headers_in.get("user-agent"))
    if not result.allowed:
        return render("denied.html", status=403, title=result.title, message=DENIAL_MESSAGES[result.reason])
    headers = client_headers(new_nonce())
    headers["Location"] = str(result.location)
    return Response(body="", status_code=302, headers=headers)
