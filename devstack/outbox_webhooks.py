"""The outbox's webhook receiver: the local stack's webhook endpoint (`make dev` registers it for the
demo business, `devstack/seed.py` `_seed_webhooks`), recording each delivery with its signature
checked the way a real receiver must: against the endpoint's signing secret, within 5 minutes,
and deduplicated by the event id (a retry or a resend of an event already handled is answered
200 and marked duplicate, not handled twice).
"""
from __future__ import annotations

import html
import json
import threading
from dataclasses import asdict, dataclass
from typing import Any

_lock = threading.Lock()
_received: list[Received] = []
PATH = "/webhooks"


@dataclass
class Received:
    event_id: str
    type: str
    signature: str
    verified: bool
    duplicate: bool
    body: str


def _secrets_for(url: str) -> list[str]:
    """The signing secrets of every endpoint registered with this receiver's URL (local table only)."""
    from chalicelib.store.webhooks import WebhookEndpoint

    found = WebhookEndpoint.scan(WebhookEndpoint.url == url)
    return [s for e in found for s in (e.secret, e.previous_secret) if s]


def receive(url: str, headers: Any, body: bytes) -> int:
    """Record one delivery; the status to answer (400 for an unreadable body)."""
    from chalicelib import clock
    from chalicelib.domain.webhooks import SIGNATURE_HEADER, verify

    try:
        event = json.loads(body)
        event_id, kind = str(event["id"]), str(event["type"])
    except (ValueError, KeyError, TypeError):
        return 400
    header = str(headers.get(SIGNATURE_HEADER) or "")
    verified = any(verify(header, body, secret, clock.now()) for secret in _secrets_for(url))
    with _lock:
        duplicate = any(r.event_id == event_id and r.verified for r in _received)
        _received.append(Received(event_id, kind, header, verified, duplicate, body.decode("utf-8", "replace")))
    return 200 if verified else 401


def received() -> list[Received]:
    with _lock:
        return list(_received)


def page() -> str:
    rows = "".join(
        f"<tr><td>{html.escape(r.event_id)}</td><td>{html.escape(r.type)}</td>"
        f"<td>{'verified' if r.verified else 'NOT verified'}</td><td>{'duplicate' if r.duplicate else ''}</td>"
        f"<td><details><summary>body</summary><pre>{html.escape(r.body)}</pre>"
        f"<p>Paydrop-Signature: {html.escape(r.signature)}</p></details></td></tr>"
        for r in reversed(received())
    )
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Paydrop webhooks</title>'
        "<style>body{font:15px system-ui;max-width:70rem;margin:2rem auto}td{border-top:1px solid #ccc;"
        "padding:.3rem;vertical-align:top}pre{white-space:pre-wrap}</style>"
        f"<h1>Webhooks received ({len(received())})</h1><p><a href=\"/\">Outbox</a> · "
        f"<a href=\"{PATH}.json\">JSON</a></p>"
        "<table><tr><th>Event id</th><th>Type</th><th>Signature</th><th>Dedupe</th><th></th></tr>"
        + (rows or "<tr><td colspan=5>Nothing received yet.</td></tr>") + "</table></html>"
    )


def as_json() -> str:
    return json.dumps([asdict(r) for r in reversed(received())], indent=2)
