"""`make dev` as a subprocess, for tests that need the real local stack over HTTP (the slow
devstack tests and the browser journeys)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from devstack.server import free_port

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def running_dev_stack(dev_dir: Path, stopped: dict[str, float] | None = None) -> Iterator[dict[str, Any]]:
    """Start `python -m devstack` with its own ports and `.dev` folder; yield its demo links;
    stop it with Ctrl-C and require a clean exit (`stopped["seconds"]`: how long that took)."""
    env = {**os.environ, "PORT": str(free_port()), "PAYDROP_DEV_DIR": str(dev_dir), "PYTHONUNBUFFERED": "1"}
    for name in ("PAYDROP_AWS_ENDPOINT_URL", "TABLE_NAME", "USER_POOL_ID", "USER_POOL_CLIENT_ID", "PUBLIC_BASE_URL"):
        env.pop(name, None)
    # Its output goes to a file: a pipe nobody reads fills up and blocks the stack mid-test.
    log_path = dev_dir / "devstack.log"
    log_file = log_path.open("w")
    process = subprocess.Popen([sys.executable, "-m", "devstack"], cwd=ROOT, env=env,
                               stdout=log_file, stderr=subprocess.STDOUT, text=True)
    demo_file = dev_dir / "demo.json"
    deadline = time.monotonic() + 90
    while not demo_file.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    if not demo_file.exists():
        process.kill()
        pytest.fail("make dev did not start:\n" + log_path.read_text())
    try:
        yield json.loads(demo_file.read_text())
    finally:
        asked = time.monotonic()
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=20) == 0, log_path.read_text()[-4000:]
            if stopped is not None:
                stopped["seconds"] = time.monotonic() - asked
        finally:
            process.kill()
            log_file.close()
