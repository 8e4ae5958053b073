"""The dashboard's JavaScript unit tests (tests/js/*.test.mjs, Node's built-in runner) as one
pytest test, so `make test` runs them. Skipped where `node` is not installed (the dev image has it)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def test_the_dashboard_js_unit_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the dashboard's JS unit tests cannot run")
    files = sorted(str(p) for p in HERE.glob("*.test.mjs"))
    assert files, "no JS unit tests found"
    run = subprocess.run([node, "--test", *files], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout
