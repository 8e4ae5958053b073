"""The zip Lambda runs: `make package` ships bytecode and no botocore of its own, and the
API's handler still imports and serves the invoice page from the zip unzipped read-only,
with only the runtime's boto3/botocore beside it (as /var/task + /var/runtime)."""
from __future__ import annotations

import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.lambda_package import (
    lambda_env,
    make_writable,
    page_event,
    runtime_folder,
    seeded_moto,
    serve_once,
    unzip_read_only,
)
from infra.postpackage import postprocess, runtime_provided

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def deployment_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("postpackage") / "dev"
    run = subprocess.run(["make", "-o", ".venv/.installed", "package", "STAGE=dev", f"PACKAGE_DIR={out}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return out / "deployment.zip"


@pytest.fixture(scope="module")
def task_folder(deployment_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = unzip_read_only(deployment_zip, tmp_path_factory.mktemp("task") / "var-task")
    yield folder
    make_writable(folder)


def test_the_zip_has_bytecode_for_our_code_and_no_botocore(deployment_zip: Path) -> None:
    names = set(zipfile.ZipFile(deployment_zip).namelist())
    assert "__pycache__/app.cpython-311.pyc" in names
    assert "chalicelib/api/__pycache__/invoice_page.cpython-311.pyc" in names
    ours = [n for n in names if n.startswith("chalicelib/") and n.endswith(".py")]
    missing = [n for n in ours if n.replace(".py", "").rsplit("/", 1)[0] + "/__pycache__/"
               + n.rsplit("/", 1)[1].replace(".py", ".cpython-311.pyc") not in names]
    assert missing == []
    assert [n for n in names if n.split("/")[0].split("-")[0] in ("boto3", "botocore", "s3transfer")] == []
    assert "pynamodb/models.py" in names and "jmespath/__init__.py" in names  # the rest stays


def test_the_bytecode_is_valid_without_checking_sources(deployment_zip: Path) -> None:
    """Unchecked-hash pycs (PEP 552): flags word 0b01, so unzipped mtimes never invalidate them."""
    with zipfile.ZipFile(deployment_zip) as archive:
        header = archive.read("chalicelib/api/__pycache__/invoice_page.cpython-311.pyc")[:16]
    assert int.from_bytes(header[4:8], "little") == 0b01


def test_the_read_only_package_serves_the_invoice_page(task_folder: Path, tmp_path: Path) -> None:
    before = sorted(p.name for p in task_folder.rglob("*"))
    runtime = runtime_folder(tmp_path / "var-runtime")
    with seeded_moto() as (stack_env, token):
        _, response = serve_once(task_folder, runtime, lambda_env(stack_env), page_event(token))
    assert response["status"] == 200
    assert "Northwind Studio" in response["body"] and "INV-0001" in response["body"]
    assert sorted(p.name for p in task_folder.rglob("*")) == before  # nothing written next to the code


def test_postprocess_drops_only_what_the_runtime_provides(tmp_path: Path) -> None:
    zip_path = tmp_path / "deployment.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        for name in ("app.py", "botocore/__init__.py", "botocore-1.44.8.dist-info/METADATA", "boto3/__init__.py",
                     "s3transfer/__init__.py", "jmespath/__init__.py", "pynamodb/__init__.py", "chalicelib/x.py"):
            archive.writestr(name, "VALUE = 1\n")
        archive.writestr("legacy/py2.py", "print 'no'\n")  # not Python 3: shipped as is, no pyc
        archive.writestr("chalicelib/__pycache__/x.cpython-311.pyc", b"stale work-tree bytecode")
    counts = postprocess(zip_path)
    names = set(zipfile.ZipFile(zip_path).namelist())
    assert counts == {"dropped": 4, "compiled": 4, "kept": 5}
    assert not any(runtime_provided(n) for n in names)
    n = "chalicelib/__pycache__/x.cpython-311.pyc"
    assert {"__pycache__/app.cpython-311.pyc", n, "legacy/py2.py"} <= names
    assert "legacy/__pycache__/py2.cpython-311.pyc" not in names
    with zipfile.ZipFile(zip_path) as archive:  # the work tree's pyc was replaced, not kept beside ours
        assert [n for n in archive.namelist() if n == "chalicelib/__pycache__/x.cpython-311.pyc"] == [n]
        assert int.from_bytes(archive.read(n)[4:8], "little") == 0b01
