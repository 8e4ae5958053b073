"""Cold start as Lambda runs it: the packaged zip, unzipped read-only, serving one page.

`make package`'s deployment.zip is unzipped into a read-only folder (Lambda's /var/task);
boto3/botocore and their dependencies, copied from the venv, stand in for the python3.11
runtime's /var/runtime (after /var/task on sys.path, as in Lambda). Each sample is a fresh
interpreter (`-I -S -B`: no site-packages, no bytecode written) with Lambda's environment
variables, which imports the handler `app.app` and serves one API Gateway proxy event for
`GET /invoice/{token}` against a local moto server holding the `make dev` demo data. The time
is process start → response.

Baseline, in the same run and alternated: a minimal Chalice app, written here and packaged
the same way (chalice package, read-only, no bytecode), that makes the same AWS calls as the
real page (recorded from one in-process run: three DynamoDB reads and the view's SQS message)
with boto3 and returns HTML. Budget: packaged app ≤ 1.25 × baseline (median).

    .venv/bin/python bench/cold_start.py [--rounds 10] [--levers] [--zip deployment.zip]

`--levers` also measures the zip without `infra/postpackage.py` (as chalice makes it), with
only botocore dropped and with only bytecode added (neither with precompiled templates). Exit code 1 when over budget.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lambda_package import (  # noqa: E402
    build_baseline,
    lambda_env,
    make_package,
    make_writable,
    record_page_calls,
    runtime_folder,
    seeded_moto,
    serve_once,
    unzip_read_only,
)

BUDGET = 1.25
def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def variants(args: argparse.Namespace, work: Path) -> dict[str, Path]:
    """name → zip to measure ("app" is the one `make package` ships)."""
    final = args.zip or make_package(work / "final")
    found = {"app": final}
    if args.levers:
        from infra.postpackage import postprocess

        raw = make_package(work / "raw", "--keep-botocore --no-bytecode --no-precompiled-templates")
        for name, strip, bytecode in (("app, no botocore", True, False), ("app, bytecode", False, True)):
            copy = work / f"{name.replace(', ', '-').replace(' ', '_')}.zip"
            shutil.copy(raw, copy)
            postprocess(copy, strip=strip, bytecode=bytecode, templates=False)
            found[name] = copy
        found["app as chalice packs it"] = raw
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--levers", action="store_true", help="also measure the zip before/with each post-package step")
    parser.add_argument("--zip", type=Path, help="measure this deployment.zip instead of running `make package`")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="paydrop-cold-") as tmp, seeded_moto() as (stack_env, token):
        work = Path(tmp)
        try:
            return measure(args, work, stack_env, token)
        finally:
            make_writable(work)  # so the temporary folder can be removed


def measure(args: argparse.Namespace, work: Path, stack_env: dict[str, str], token: str) -> int:
    if True:
        event, calls = record_page_calls(token)
        folders = {name: unzip_read_only(zip_path, work / f"task{i}") for i, (name, zip_path) in
                   enumerate(variants(args, work).items())}
        folders["baseline"] = unzip_read_only(build_baseline(work / "baseline", calls), work / "task-baseline")
        runtime = runtime_folder(work / "runtime")
        env = lambda_env(stack_env)
        samples: dict[str, list[float]] = {name: [] for name in folders}
        cpu: dict[str, list[float]] = {name: [] for name in folders}
        modules: dict[str, int] = {}
        for name, task in folders.items():  # warm the OS file cache; check each serves the page
            _, response = serve_once(task, runtime, env, event)
            if response["status"] != 200 or "INV-0001" not in response["body"]:
                raise SystemExit(f"{name}: unexpected response {response['status']}: {response['body'][:500]}")
            modules[name] = response["modules"]
        for _ in range(args.rounds):
            for name, task in folders.items():
                elapsed, response = serve_once(task, runtime, env, event)
                samples[name].append(elapsed)
                cpu[name].append(response["cpu"])
        return report(samples, cpu, modules, args.rounds)


def report(samples: dict[str, list[float]], cpu: dict[str, list[float]], modules: dict[str, int], rounds: int) -> int:
    """The table: wall time (the budget's measure) and the child's CPU time to the response
    (steadier on a busy machine), each as a ratio to the baseline."""
    import statistics

    base, base_cpu = statistics.median(samples["baseline"]), statistics.median(cpu["baseline"])
    print(f"rounds: {rounds} (alternated; fresh interpreter each: process start → response of GET /invoice/{{token}})")
    print(f"{'package':<26}{'median':>10}{'p90':>10}{'min':>10}{'ratio':>7}{'cpu med':>10}{'ratio':>7}{'modules':>9}")
    for name, values in samples.items():
        median, cpu_median = statistics.median(values), statistics.median(cpu[name])
        print(f"{name:<26}{median * 1000:>8.1f}ms{percentile(values, 90) * 1000:>8.1f}ms"
              f"{min(values) * 1000:>8.1f}ms{median / base:>7.2f}{cpu_median * 1000:>8.1f}ms{cpu_median / base_cpu:>7.2f}"
              f"{modules[name]:>9}")
    ratio = statistics.median(samples["app"]) / base
    print(f"ratio app/baseline: {ratio:.2f}  (budget ≤ {BUDGET})  -> {'OK' if ratio <= BUDGET else 'OVER BUDGET'}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    sys.exit(main())
