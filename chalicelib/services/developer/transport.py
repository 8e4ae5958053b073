"""One webhook POST: resolved and checked at delivery time, connected to the checked address.

The URL was checked when it was registered, but a name can later resolve elsewhere (DNS
rebinding): every delivery resolves the host, refuses any private, loopback or link-local
address, and connects to exactly the address it checked (SNI and the certificate still name
the host). No redirects are followed (http.client follows none); 10 s timeout.
"""
from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.webhooks import RESPONSE_EXCERPT_BYTES, TIMEOUT_SECONDS, is_public_address


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    response: str | None
    duration_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class RefusedAddress(Exception):
    """The host resolves to an address deliveries may not reach."""


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


def resolve_public(host: str, port: int, allow_loopback: bool = False) -> str:
    """The first address of `host`, if every address it resolves to is public (else RefusedAddress)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise RefusedAddress(f"{host} does not resolve") from e
    addresses = [str(info[4][0]) for info in infos]
    if not addresses or not all(is_public_address(a) or allow_loopback for a in addresses):
        raise RefusedAddress(f"{host} resolves to a private address")
    return addresses[0]


class _Pinned(http.client.HTTPSConnection):
    """HTTPS to `address`, verified against the host name."""

    def __init__(self, host: str, address: str, port: int) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS, context=_tls())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = _tls().wrap_socket(sock, server_hostname=self.host)


def _connection(url: str, dev_receiver: str) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    try:  # a port that cannot be read (stored before URLs were checked for it) is refused, not raised
        parts.port  # noqa: B018
    except ValueError as e:
        raise RefusedAddress(str(e)) from e
    host, path = parts.hostname or "", (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if dev_receiver and url == dev_receiver:  # the local stack's own receiver, by explicit setting
        address = resolve_public(host, parts.port or 80, allow_loopback=True)
        return http.client.HTTPConnection(address, parts.port or 80, timeout=TIMEOUT_SECONDS), path
    if parts.scheme != "https":
        raise RefusedAddress("only https endpoints are called")
    port = parts.port or 443
    return _Pinned(host, resolve_public(host, port), port), path


def post(url: str, body: bytes, headers: dict[str, str], dev_receiver: str = "") -> Outcome:
    """POST `body` to `url`; what came back (or why nothing did), never raising for the receiver's faults."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        connection, path = _connection(url, dev_receiver)
    except (RefusedAddress, ValidationError) as e:
        return Outcome(None, None, took(), f"refused: {e}")
    try:
        connection.request("POST", path, body=body, headers=headers)
        reply = connection.getresponse()
        excerpt = reply.read(RESPONSE_EXCERPT_BYTES).decode("utf-8", "replace")
        return Outcome(reply.status, excerpt, took(), None)
    except TimeoutError:
        return Outcome(None, None, took(), f"timed out after {TIMEOUT_SECONDS} s")
    except (OSError, http.client.HTTPException) as e:
        return Outcome(None, None, took(), f"{type(e).__name__}: {str(e)[:200]}")
    finally:
        connection.close()
