"""The staff dashboard (`chalicelib/static/app/`): a static web app that only talks to `/api/v1`.

`make dev` serves it here at `/app/`; in the cloud CloudFront serves the same files from the
dashboard bucket (infra/resources.json) and sends everything else to API Gateway, so the
dashboard and the API share one origin. Only the files in `ASSETS` are ever read: the name in
the URL picks an entry of that table, never a path on disk.
"""
from __future__ import annotations

import os
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.http import ANY_CONTENT_TYPE, error_body, json_response
from chalicelib.services.delivery.bucket_origins import browser_origins

bp = Blueprint(__name__)
STATIC = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "app")
ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "rules.js": "text/javascript; charset=utf-8",  # imported by app.js
    "app.css": "text/css; charset=utf-8",
    "checks.js": "text/javascript; charset=utf-8",
}


def _read(name: str) -> bytes:
    """Read on every request (a few KB): edits show at once under `make dev`."""
    with open(os.path.join(STATIC, name), "rb") as f:
        return f.read()


def content_security_policy(origins: str) -> str:
    """Scripts and styles only from our own files; images and XHR also to the files bucket.

    CloudFront sends the same policy in the cloud (`DashboardHeadersPolicy` in
    infra/resources.json; tests/infra checks they agree).
    """
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data: blob: {origins}; connect-src 'self' {origins}; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def dashboard_headers(content_type: str) -> dict[str, Any]:
    return {
        "Content-Type": content_type,
        "Cache-Control": "no-cache",  # revalidate every time: the files have no content hash in their names
        "Content-Security-Policy": content_security_policy(browser_origins()),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Robots-Tag": "noindex, nofollow",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def _asset(name: str) -> Response:
    content_type = ASSETS.get(name)
    if content_type is None:
        return json_response(error_body("not_found", "Not found."), 404)
    return Response(body=_read(name).decode("utf-8"), status_code=200, headers=dashboard_headers(content_type))


@bp.route("/app", methods=["GET"], content_types=ANY_CONTENT_TYPE)
def dashboard() -> Any:
    """`/app/` is the page; `/app` redirects there so the page's relative URLs resolve.

    API Gateway and Chalice's local server route both to `/app` (they drop the trailing
    slash); the request context keeps the path as sent.
    """
    path = str((bp.current_request.context or {}).get("path") or "")
    if path.endswith("/"):
        return _asset("index.html")
    # Relative, so it also works under an execute-api URL's stage prefix (`/api/app` → `/api/app/`).
    return Response(body="", status_code=301, headers={"Location": "app/", "Cache-Control": "no-cache",
                                                             "Content-Type": "text/plain; charset=utf-8"})


@bp.route("/app/{asset}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
def dashboard_asset(asset: str) -> Any:
    return _asset(asset)
