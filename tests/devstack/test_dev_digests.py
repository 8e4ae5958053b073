"""`make dev`: the seed's activity is in the lists at once, and `make tick DIGESTS=now` sends the
digests the pump would deliver 5 minutes later, through the same code, into the outbox."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.dev_stack import running_dev_stack

ROOT = Path(__file__).resolve().parents[2]


def _subjects_to(address: str, outbox_url: str, within: float = 10) -> list[str]:
    deadline = time.monotonic() + within
    while True:
        found = [m["subject"] for m in requests.get(f"{outbox_url}/messages.json", timeout=10).json()
                 if address in m["to"]]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


@pytest.mark.slow
def test_seeded_notifications_are_listed_and_their_digests_flush_on_demand(tmp_path: Path) -> None:
    with running_dev_stack(tmp_path) as links:
        listed = requests.get(links["portal_notifications_url"], headers={"Accept": "application/json"}, timeout=10)
        assert listed.status_code == 200
        titles = [i["title"] for i in listed.json()["items"]]
        assert {"New file: Brand guidelines", "New invoice from Northwind Studio"} <= set(titles)
        digests = lambda: [s for s in _subjects_to("ada@acme.example", links["outbox_url"], within=1)  # noqa: E731
                           if "update" in s]  # the seed's other emails (invoices sent) are not digests
        assert digests() == []  # its window is open
        env: dict[str, Any] = {**os.environ, "PAYDROP_DEV_DIR": str(tmp_path)}
        done = subprocess.run([sys.executable, "-m", "devstack.tick", "--digests-now"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        # One email each, listing everything the seed did for them (other features' seeds add theirs).
        deadline = time.monotonic() + 10
        while not digests() and time.monotonic() < deadline:
            time.sleep(0.2)
        # Everything listed, except what its own action already emailed: the retainer's recurring
        # invoices went out with their invoice email, so they are listed but not emailed twice.
        [subject] = digests()
        count = int(subject.split()[0])
        assert subject == f"{count} updates from Northwind Studio" and len(titles) - 2 <= count < len(titles)
        [team] = _subjects_to("billing@northwind.example", links["outbox_url"])
        assert team.endswith(" from Northwind Studio")
