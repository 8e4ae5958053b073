"""An access-log export run to the end: asked for, written by the exports worker, downloaded."""
from __future__ import annotations

from typing import Any

from tests.conftest import QueueWorker


def export_csv(api: Any, log_path: str, worker: QueueWorker) -> tuple[dict[str, Any], str]:
    """POST `log_path`/exports (202), let the worker write it, then the ready export and the CSV
    downloaded from its presigned link."""
    import requests

    started = api.post(f"{log_path}/exports")
    assert started.status == 202, started.body
    assert started.json["status"] == "queued" and started.headers["Location"] == started.json["status_url"]
    assert worker.drain() >= 1
    ready = api.get(started.json["status_url"])
    assert ready.status == 200 and ready.json["status"] == "ready", ready.body
    download = requests.get(ready.json["url"], timeout=10)
    assert download.status_code == 200, download.text[:300]
    return ready.json, download.content.decode()
