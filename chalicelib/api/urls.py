"""Absolute URLs for links we hand out (share links, later portal and claim links)."""
from __future__ import annotations

from typing import Any

from chalicelib.config import settings


def absolute_url(request: Any, path: str) -> str:
    """`path` on the public origin: configured, or the one this request arrived on."""
    base = settings().public_base_url
    if not base:
        headers = request.headers or {}
        host = headers.get("host", "localhost")
        proto = headers.get("x-forwarded-proto", "http" if host.startswith(("127.", "localhost")) else "https")
        stage = (request.context or {}).get("stage", "")
        # An execute-api URL includes the stage (`/api`); a custom domain maps it away.
        prefix = f"/{stage}" if stage and ".execute-api." in host else ""
        base = f"{proto}://{host}{prefix}"
    return f"{base}{path}"
