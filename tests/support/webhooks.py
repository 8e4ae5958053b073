"""A real HTTP receiver on loopback for webhook deliveries, allowed as the dev receiver (as `make dev`
allows the outbox's), and the webhooks worker run synchronously on its queue."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import QueueWorker

WEBHOOKS_WORKER = QueueWorker("webhooks_worker", "webhooks_queue_url")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200  # what it answers next
    reply: bytes = b'{"ok":true}'


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            self.send_response(receiver.status)
            self.send_header("Content-Length", str(len(receiver.reply)))
            self.end_headers()
            self.wfile.write(receiver.reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch, chalice_app: Any) -> Iterator[Receiver]:
    """A receiver the app may deliver to: its URL is the explicit dev receiver setting."""
    from chalicelib.config import reset_settings

    box = Receiver("")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(box))
    box.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("WEBHOOKS_DEV_RECEIVER", box.url)
    reset_settings()
    yield box
    server.shutdown()
    server.server_close()
    monkeypatch.delenv("WEBHOOKS_DEV_RECEIVER")
    reset_settings()


@pytest.fixture
def webhooks_worker(chalice_app: Any) -> QueueWorker:
    """The webhooks worker on its emptied queue: `.drain()` fans out and delivers what was emitted."""
    WEBHOOKS_WORKER.discard()
    return WEBHOOKS_WORKER
