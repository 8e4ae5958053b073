"""`make package` once per test session: its SAM template and zip, for every infra test."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private output dir, so a `make package` running beside the tests cannot race this one."""
    return tmp_path_factory.mktemp("package") / "dev"


@pytest.fixture(scope="session")
def package_run(package_dir: Path) -> subprocess.CompletedProcess[str]:
    # `-o` keeps make from reinstalling the venv: the tests already run inside it.
    return subprocess.run(
        ["make", "-o", ".venv/.installed", "package", "STAGE=dev", f"PACKAGE_DIR={package_dir}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.fixture(scope="session")
def packaged(package_run: subprocess.CompletedProcess[str], package_dir: Path) -> dict[str, Any]:
    assert package_run.returncode == 0, package_run.stdout + package_run.stderr
    return json.loads((package_dir / "sam.json").read_text())  # type: ignore[no-any-return]
