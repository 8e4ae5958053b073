"""The zip Lambda runs: `make package` ships bytecode and no botocore of its own, and the
API's handler still imports and serves the invoice page from the zip unzipped read-only,
with only the runtime's boto3/botocore beside it (as /var/task + /var/runtime)."""
from __future__ import annotations

import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

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


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[dict[str, str], str]]:
    """One seeded moto per module: moto's SES state is process-wide, so a second would collide."""
    with seeded_moto() as found:
        yield found


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


def test_the_read_only_package_serves_the_invoice_page(task_folder: Path, tmp_path: Path,
                                                        stack: tuple[dict[str, str], str]) -> None:
    before = sorted(p.name for p in task_folder.rglob("*"))
    runtime = runtime_folder(tmp_path / "var-runtime")
    stack_env, token = stack
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
    assert counts == {"dropped": 4, "compiled": 4, "kept": 5, "templates": 0}
    assert not any(runtime_provided(n) for n in names)
    n = "chalicelib/__pycache__/x.cpython-311.pyc"
    assert {"__pycache__/app.cpython-311.pyc", n, "legacy/py2.py"} <= names
    assert "legacy/__pycache__/py2.cpython-311.pyc" not in names
    with zipfile.ZipFile(zip_path) as archive:  # the work tree's pyc was replaced, not kept beside ours
        assert [n for n in archive.namelist() if n == "chalicelib/__pycache__/x.cpython-311.pyc"] == [n]
        assert int.from_bytes(archive.read(n)[4:8], "little") == 0b01


def test_the_zip_has_every_page_template_precompiled(deployment_zip: Path) -> None:
    import jinja2

    names = set(zipfile.ZipFile(deployment_zip).namelist())
    pages = sorted(p.name for p in (ROOT / "chalicelib" / "templates").glob("*.html"))
    for page in pages:
        module = f"chalicelib/templates_compiled/{jinja2.ModuleLoader.get_template_key(page)}"
        assert {f"{module}.py", module.replace("compiled/", "compiled/__pycache__/") + ".cpython-311.pyc"} <= names, page
    assert f"chalicelib/templates/{pages[0]}" in names  # the sources stay (local fallback, readable)


def _without_nonce(page: str) -> str:
    return re.sub(r"nonce(=\"|-)[A-Za-z0-9_-]+", r"nonce\1N", page)


def test_the_precompiled_pages_render_exactly_as_the_sources(task_folder: Path, monkeypatch: pytest.MonkeyPatch,
                                                              stack: tuple[dict[str, str], str]) -> None:
    """The invoice page and an error page, served with the zip's compiled templates (read-only,
    as Lambda loads them) and with the work tree's sources: the same bytes, nonce aside."""
    import jinja2

    from app import app
    from chalicelib.api import html, templating

    loaders = {"sources": templating.page_loader(), "zip": templating.page_loader(
        str(task_folder / "chalicelib" / templating.COMPILED_FOLDER))}
    assert isinstance(loaders["sources"], jinja2.FileSystemLoader) and isinstance(loaders["zip"], jinja2.ModuleLoader)
    pages: dict[str, list[str]] = {}
    context = SimpleNamespace(aws_request_id="r-1", function_name="paydrop-dev")
    for name, loader in loaders.items():
        monkeypatch.setattr(templating, "page_loader", lambda loader=loader: loader)
        html._environment.cache_clear()
        invoice = app(page_event(stack[1]), context)
        missing = app(page_event("no-such-token-" + "x" * 20), context)
        hostile = html._environment().get_template("error.html").render(  # autoescape and the palette global
            nonce="n", brand_color="#1f4b99", accent_color="#ffd54f", title="<b>", message="<script>x</script> & co")
        pages[name] = [_without_nonce(invoice["body"]), _without_nonce(missing["body"]), hostile]
        assert (invoice["statusCode"], missing["statusCode"]) == (200, 404)
    html._environment.cache_clear()
    assert "INV-0001" in pages["zip"][0] and "&lt;script&gt;x&lt;/script&gt; &amp; co" in pages["zip"][2]
    assert pages["zip"] == pages["sources"]
