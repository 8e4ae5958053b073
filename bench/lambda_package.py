"""The pieces of a Lambda-like cold start, shared by bench/cold_start.py and
tests/infra/test_postpackage.py: the package unzipped read-only, a stand-in for the
runtime's /var/runtime, Lambda's environment, a seeded moto, and a minimal baseline app."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EVENT = ROOT / "tests" / "events" / "apigateway" / "get_invoice.json"
# What Lambda's python3.11 runtime has in /var/runtime besides its own bootstrap.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")
PUBLIC_BASE_URL = "https://d111111abcdef8.cloudfront.net"
# The stack hands the API its origin secret in the environment; CloudFront sends it as a header.
ORIGIN_SECRET = "bench-origin-secret"


def make_package(out: Path, postpackage_flags: str = "") -> Path:
    """`make package` into `out`; its deployment.zip."""
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
    # -o: never reinstall the venv from here (the bench measures, it does not set up).
    subprocess.run(["make", "-s", "-o", ".venv/.installed", "package", f"PACKAGE_DIR={out}",
                    f"POSTPACKAGE_FLAGS={postpackage_flags}"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return out / "deployment.zip"


def unzip_read_only(zip_path: Path, folder: Path) -> Path:
    """`zip_path` extracted into `folder`, then made read-only like Lambda's /var/task."""
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder)
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return folder


def make_writable(folder: Path) -> None:
    """Undo `unzip_read_only` so the folder can be deleted."""
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def runtime_folder(folder: Path) -> Path:
    """boto3, botocore and their dependencies from this venv, as in Lambda's /var/runtime
    (which ships them with bytecode)."""
    import botocore

    site = Path(botocore.__file__).resolve().parent.parent
    folder.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_PACKAGES:
        source = site / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
        else:
            shutil.copy2(source, folder / name)
    return folder


def lambda_env(stack_env: dict[str, str], function_name: str = "paydrop-dev") -> dict[str, str]:
    """What Lambda sets for the API function, plus the stack's variables for the app."""
    return {
        "PATH": "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function_name}",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "_HANDLER": "app.app",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
        **stack_env,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "PAYDROP_SECRET_ORIGIN_SECRET": ORIGIN_SECRET,
        # What deploy.sh passes a stage without a Stripe key (the seeded moto stack has none).
        "STRIPE_CONFIGURED": "false",
    }


@contextmanager
def seeded_moto() -> Iterator[tuple[dict[str, str], str]]:
    """A moto server with `make dev`'s resources and demo data; (the app's env, a share token).
    This process's environment, settings and clients point at it meanwhile, and back after."""
    from chalicelib.aws import reset_clients
    from chalicelib.config import reset_settings
    from chalicelib.store.table import reset_connections
    from devstack.provision import provision
    from devstack.seed import seed
    from devstack.server import configure_environment, free_port, start_moto

    saved = dict(os.environ)
    server, endpoint = start_moto(free_port())
    try:
        resources = provision(endpoint, stack_name="paydrop-bench")
        env = resources.as_env("dev")
        configure_environment(env, PUBLIC_BASE_URL)
        yield {**env, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}, seed().share_token
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)
        reset_settings()
        reset_clients()
        reset_connections()


def page_event(token: str) -> dict[str, Any]:
    """The API Gateway proxy event for `GET /invoice/{token}`, as CloudFront forwards it."""
    event = json.loads(EVENT.read_text().replace("TOKEN", token))
    event["headers"]["X-Paydrop-Origin-Secret"] = ORIGIN_SECRET
    event["multiValueHeaders"]["X-Paydrop-Origin-Secret"] = [ORIGIN_SECRET]
    return event


class _Context:
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    function_name = "paydrop-dev"
    memory_limit_in_mb = 512

    def get_remaining_time_in_millis(self) -> int:
        return 20000


def record_page_calls(token: str) -> tuple[dict[str, Any], list[tuple[str, str, dict[str, Any]]]]:
    """Serve the page once in this process and record every AWS call it makes
    (service, operation, parameters): what the baseline app replays."""
    from botocore.client import BaseClient

    calls: list[tuple[str, str, dict[str, Any]]] = []
    original = BaseClient._make_api_call

    def recording(self: Any, operation: str, params: dict[str, Any]) -> Any:
        calls.append((self.meta.service_model.service_name, operation, json.loads(json.dumps(params, default=str))))
        return original(self, operation, params)

    from app import app

    event = page_event(token)
    BaseClient._make_api_call = recording  # type: ignore[method-assign]
    try:
        response = app(event, _Context())
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
    if response["statusCode"] != 200:
        raise RuntimeError(f"the page answered {response['statusCode']}: {response['body'][:500]}")
    return event, calls


BASELINE_APP = '''
"""The least a Chalice page can do: the same AWS calls as Paydrop's invoice page, with boto3."""
import json
import os

import boto3
from botocore import xform_name
from chalice import Chalice, Response

app = Chalice(app_name="baseline")
CALLS = os.path.join(os.path.dirname(__file__), "chalicelib", "calls.json")
_clients = {}


def client(service):
    if service not in _clients:
        _clients[service] = boto3.client(service, endpoint_url=os.environ.get("PAYDROP_AWS_ENDPOINT_URL"))
    return _clients[service]


@app.route("/invoice/{token}")
def invoice(token):
    with open(CALLS) as f:
        calls = json.load(f)
    found = [getattr(client(service), xform_name(operation))(**params) for service, operation, params in calls]
    items = sum(len(r.get("Items", [])) + ("Item" in r) for r in found)
    return Response(body=f"<!doctype html><title>INV-0001</title><p>{items} items for {token}</p>",
                    headers={"Content-Type": "text/html; charset=utf-8"})
'''


def build_baseline(folder: Path, calls: list[tuple[str, str, dict[str, Any]]]) -> Path:
    """Write the baseline Chalice app into `folder`, `chalice package` it; its deployment.zip."""
    (folder / ".chalice").mkdir(parents=True)
    (folder / "chalicelib").mkdir()
    (folder / "app.py").write_text(textwrap.dedent(BASELINE_APP))
    (folder / "requirements.txt").write_text("")
    (folder / "chalicelib" / "calls.json").write_text(json.dumps(calls))
    (folder / ".chalice" / "config.json").write_text(json.dumps(
        {"version": "2.0", "app_name": "baseline", "stages": {"dev": {"api_gateway_stage": "api"}}}))
    chalice = Path(sys.executable).parent / "chalice"
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
    subprocess.run([str(chalice), "package", str(folder / "out")], cwd=folder, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return folder / "out" / "deployment.zip"


RUNNER = """
import sys, time, json, os
sys.path[:0] = [os.environ["LAMBDA_TASK_ROOT"], os.environ["BENCH_RUNTIME_DIR"]]
from app import app as handler

class Context:
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    memory_limit_in_mb = 512
    def get_remaining_time_in_millis(self):
        return 20000

response = handler(json.loads(os.environ["BENCH_EVENT"]), Context())
print("BENCH-RESPONSE " + json.dumps({"status": response["statusCode"], "body": response["body"][:20000],
                  "modules": len(sys.modules), "cpu": time.process_time()}), flush=True)
"""


def serve_once(task: Path, runtime: Path, env: dict[str, str], event: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """Start a fresh interpreter on `task`, serve `event`; (seconds from start to response, response)."""
    child_env = {**env, "LAMBDA_TASK_ROOT": str(task), "BENCH_RUNTIME_DIR": str(runtime), "BENCH_EVENT": json.dumps(event)}
    t = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-I", "-S", "-B", "-c", RUNNER], cwd=task, env=child_env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    while line and not line.startswith("BENCH-RESPONSE "):  # the app's own log lines (stdout in Lambda)
        line = process.stdout.readline()
    elapsed = time.perf_counter() - t
    _, err = process.communicate(timeout=60)
    if not line:
        raise RuntimeError(f"the handler in {task} gave no response:\n{err[-3000:]}")
    return elapsed, json.loads(line.removeprefix("BENCH-RESPONSE "))
