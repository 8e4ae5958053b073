"""The staff dashboard (`chalicelib/static/app/`): a static web app that only talks to `/api/v1`.

`make dev` serves it here at `/app/`; in the cloud CloudFront serves the same files from the
dashboard bucket (infra/resources.json) and sends everything else to API Gateway, so the
dashboard and the API share one origin. The page is native ES modules (main.js, lib/, screens/;
the map is in docs/ARCHITECTURE.md). Only the files in `ASSETS` are ever read: the path in the
URL picks an entry of that table, listed from the folder at import, never a path on disk.
"""
from __future__ import annotations

import os
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.http import ANY_CONTENT_TYPE, error_body, json_response
from chalicelib.services.delivery.bucket_origins import browser_origins

bp = Blueprint(__name__)
STATIC = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "app")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",  # ES modules: browsers refuse them under another type
    ".css": "text/css; charset=utf-8",
}


def _assets() -> dict[str, str]:
    """Every file under the folder with a known type, by its path relative to `/app/` ("lib/api.js")."""
    assets = {}
    for folder, _, files in os.walk(STATIC):
        for name in files:
            content_type = CONTENT_TYPES.get(os.path.splitext(name)[1])
            if content_type is not None:
                relative = os.path.relpath(os.path.join(folder, name), STATIC)
                assets[relative.replace(os.sep, "/")] = content_type
    return assets


# The allow-list: the URL's path is only ever looked up here, so `..`, encoded slashes and
# unknown names are 404 before anything touches the disk.
ASSETS = _assets()


def _read(name: str) -> bytes:
    """Read on every request (a few KB): edits show at once under `make dev`."""
    with open(os.path.join(STATIC, *name.split("/")), "rb") as f:
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


# One level of folders (lib/, screens/) is all the page has: Chalice has no greedy `{path+}`.
@bp.route("/app/{folder}/{asset}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
def dashboard_module(folder: str, asset: str) -> Any:
    return _asset(f"{folder}/{asset}")
