"""The local outbox: every email the app sent through moto's SES, parsed, and a read-only web view.

moto runs inside this process (`devstack.server.start_moto`), so its SES backend is read
directly: locally, that is the only place a sent message exists. `sent_messages` is moto's
internal API (documented on `moto.ses.models.SESBackend`), so this module is the one place
that depends on it.
"""
from __future__ import annotations

import html
import json
import re
import threading
from dataclasses import asdict, dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs

from devstack import outbox_webhooks as webhooks
from devstack.outbox_reply import reply, reply_form

# Up to whitespace or a character that cannot end a URL in prose; trailing punctuation is dropped below.
_URL = re.compile(r"https?://[^\s<>\"'`]+")


@dataclass
class Sent:
    """One sent message as a recipient would read it."""

    to: list[str]
    subject: str
    text: str
    html: str | None
    headers: dict[str, str]
    links: list[str]


def _backends() -> list[Any]:
    """Every SES backend moto has created so far (reading `dict.values` creates none)."""
    from moto.ses.models import ses_backends

    return [backend for account in ses_backends.values() for backend in account.values()]


def _content(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    return None if part is None else str(cast(EmailMessage, part).get_content())


def parse(raw: str) -> Sent:
    """A raw MIME message as `Sent`; `links` are the http(s) URLs of the text part, in order."""
    # As bytes: a short text part goes out `8bit` (UTF-8 as is), which the str parser would turn
    # into backslash escapes ("\u2014" for "—").
    message = cast(EmailMessage, message_from_bytes(raw.encode("utf-8", "surrogateescape"), policy=policy.default))
    text = _content(message, "plain") or ""
    return Sent(
        to=[address for _, address in getaddresses([str(v) for v in message.get_all("To", [])])],
        subject=str(message.get("Subject", "")),
        text=text,
        html=_content(message, "html"),
        headers={name: str(value) for name, value in message.items()},
        links=[url.rstrip(".,;:!?)]") for url in _URL.findall(text)],
    )


def sent_messages() -> list[Sent]:
    """Raw emails sent through SES in this process, oldest first."""
    # Copy the list: the app server's threads may append while we read.
    return [parse(m.raw_data) for b in _backends() for m in list(b.sent_messages) if hasattr(m, "raw_data")]


def clear() -> None:
    """Forget every sent message."""
    for backend in _backends():
        backend.sent_messages.clear()


# --- the web view ------------------------------------------------------------------------


def _linked(text: str) -> str:
    """`text` HTML-escaped, with its URLs as links."""
    out, start = [], 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?)]")
        out += [html.escape(text[start:match.start()]), f'<a href="{html.escape(url)}">{html.escape(url)}</a>']
        start = match.start() + len(url)
    return "".join([*out, html.escape(text[start:])])


def _parts(m: Sent) -> str:
    """The text part, and beside it the HTML part as the recipient's mail client would draw it:
    in an iframe sandboxed to nothing (no scripts, no same origin, no forms), whose document
    inherits this page's CSP (no remote loads either)."""
    text = f"<pre>{_linked(m.text)}</pre>"
    if not m.html:
        return text
    frame = (f'<iframe sandbox="" referrerpolicy="no-referrer" title="HTML part: {html.escape(m.subject)}" '
             f'srcdoc="{html.escape(m.html, quote=True)}"></iframe>')
    return f'<div class="parts"><div><h3>HTML</h3>{frame}</div><div><h3>Text</h3>{text}</div></div>'


def _page(messages: list[Sent]) -> str:
    items = "".join(
        f"<article><h2>{html.escape(m.subject)}</h2><p>To: {html.escape(', '.join(m.to))}</p>{_parts(m)}"
        + reply_form(m)
        + "</article>"
        for m in messages
    )
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Paydrop outbox</title>'
        "<style>body{font:15px system-ui;max-width:90rem;margin:2rem auto;padding:0 1rem}pre{white-space:pre-wrap}"
        "article{border-top:1px solid #ccc}.parts{display:grid;grid-template-columns:minmax(0,640px) 1fr;gap:1rem}"
        "iframe{width:100%;height:44rem;border:1px solid #ccc;background:#fff}"
        "@media (max-width:60rem){.parts{grid-template-columns:1fr}}</style>"
        f"<h1>Outbox ({len(messages)})</h1><p><a href=\"/messages.json\">JSON</a></p>"
        + (items or "<p>Nothing sent yet.</p>")
        + "</html>"
    )


class _OutboxHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        newest_first = list(reversed(sent_messages()))
        if path == "/":
            body, kind = _page(newest_first).encode(), "text/html; charset=utf-8"
        elif path == "/messages.json":
            body, kind = json.dumps([asdict(m) for m in newest_first], indent=2).encode(), "application/json"
        elif path == webhooks.PATH:  # webhook deliveries received (devstack/outbox_webhooks.py)
            body, kind = webhooks.page().encode(), "text/html; charset=utf-8"
        elif path == webhooks.PATH + ".json":
            body, kind = webhooks.as_json().encode(), "application/json"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        # Mail content is untrusted: no scripts, no remote loads, whatever slips through.
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        """The Reply form (devstack/outbox_reply.py): only from the outbox page itself."""
        origin = self.headers.get("Origin")
        length = int(self.headers.get("Content-Length") or 0)
        if self.path == webhooks.PATH and length <= 1024 * 1024:  # the webhook receiver: from the app, no Origin
            status = webhooks.receive(outbox_url(self.server) + webhooks.PATH.lstrip("/"), self.headers,  # type: ignore[arg-type]
                                      self.rfile.read(length))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path != "/reply" or length > 65536 or (origin and origin != f"http://{self.headers.get('Host')}"):
            self.send_error(404 if self.path != "/reply" else 400)
            return
        fields = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        key = reply(sent_messages(), fields.get("message_id", [""])[0], fields.get("text", [""])[0])
        self.send_response(303 if key else 400)
        self.send_header("Location", "/?replied=1" if key else "/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the dev console belongs to the app


def start_outbox_server(port: int = 0) -> ThreadingHTTPServer:
    """Serve the outbox on 127.0.0.1:`port` (0: any free port) from a daemon thread; `shutdown()` stops it."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _OutboxHandler)
    threading.Thread(target=server.serve_forever, daemon=True, name="outbox-server").start()
    return server


def outbox_url(server: ThreadingHTTPServer) -> str:
    """Where `server` answers."""
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}/"
