"""The edge: CloudFront in front of API Gateway, and who the client is behind it.

Behind CloudFront, API Gateway's `sourceIp` is the edge's address, so per-IP rate limits,
unique viewers and the access log would all see a handful of CloudFront addresses. CloudFront
adds the viewer's own address (`CloudFront-Viewer-Address`, `ip:port`) and, as a custom origin
header, a secret only it knows (`X-Paydrop-Origin-Secret`, SSM `/paydrop/{stage}/origin-secret`).

- `origin_guard` (registered for every route in app.py, health check and Stripe webhook
  included) refuses a request that lacks the secret once one is configured: a call straight
  to the execute-api URL is a 403 and never reaches a view, so nothing is written.
- `viewer_address` reads `CloudFront-Viewer-Address` only when the same request carries the
  secret; anyone can send that header, so without the secret it is ignored.

Locally no secret is configured (no `PAYDROP_SECRET_ORIGIN_SECRET`) and everything works as
before, from `sourceIp`. In Lambda a missing parameter is a deploy fault: requests are
refused (503) rather than served with spoofable addresses.
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib.config import settings
from chalicelib.domain.errors import Unavailable
from chalicelib.secrets import SecretMissing, secret

log = logging.getLogger("paydrop.edge")

ORIGIN_SECRET_HEADER = "X-Paydrop-Origin-Secret"
VIEWER_ADDRESS_HEADER = "CloudFront-Viewer-Address"
_PLAIN: dict[str, str | list[str]] = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
REFUSED = "Forbidden: this address only answers requests that come through Paydrop's own web address.\n"
UNCONFIGURED = "Service unavailable: the origin secret is not configured.\n"


def origin_secret() -> str | None:
    """The origin secret, or None when none is configured outside Lambda (a local run).

    Raises `Unavailable` when it cannot be read in the cloud (missing parameter included)."""
    try:
        return secret("origin-secret")
    except SecretMissing:
        if settings().in_lambda:
            raise
        return None


def _header(request: Any, name: str) -> str:
    headers: Any = getattr(request, "headers", None) or {}
    return str(headers.get(name.lower(), "") or "")


def carries_secret(request: Any, expected: str) -> bool:
    """Whether the request's origin header is `expected` (constant time: no byte-by-byte timing)."""
    return hmac.compare_digest(_header(request, ORIGIN_SECRET_HEADER).encode(), expected.encode())


def parse_viewer_address(value: str) -> str | None:
    """The IP of a `CloudFront-Viewer-Address` value, normalised; None if it is not `ip:port`.

    CloudFront writes `198.51.100.10:46532`, and IPv6 unbracketed with the port after the last
    colon (`2001:db8::1:46532`); the bracketed socket form `[2001:db8::1]:443` is accepted too.
    """
    value = value.strip()
    if value.startswith("["):
        host, sep, port = value[1:].partition("]:")
    else:
        host, sep, port = value.rpartition(":")
    # At most 5 digits before int(): a 5,000-digit "port" would raise (and answer 500) instead.
    if not sep or not (port.isascii() and port.isdigit() and len(port) <= 5 and int(port) <= 65535):
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    # A zone id (`fe80::1%anything`) is free text: it would reach the access log and rate-limit keys.
    return None if getattr(address, "scope_id", None) else str(address)


def viewer_address(request: Any) -> str | None:
    """The viewer's IP that CloudFront reported, only if this request carries the origin secret."""
    value = _header(request, VIEWER_ADDRESS_HEADER)
    if not value:
        return None
    try:
        expected = origin_secret()
    except Unavailable:
        return None
    if expected is None or not carries_secret(request, expected):
        return None
    return parse_viewer_address(value)


def origin_guard(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice HTTP middleware: with a secret configured, only requests carrying it reach a view."""
    try:
        expected = origin_secret()
    except Unavailable as e:
        log.error("origin secret unavailable (%s): refusing requests", e)
        return Response(UNCONFIGURED, status_code=503, headers={**_PLAIN, "Retry-After": "30"})
    if expected is None or carries_secret(event, expected):
        return get_response(event)
    log.warning("refused %s %s: no valid origin secret (not through CloudFront)",
                getattr(event, "method", "?"), getattr(event, "path", "?"))
    return Response(REFUSED, status_code=403, headers={**_PLAIN})
