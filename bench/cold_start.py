"""Cold start: importing the app in a fresh interpreter vs a bare `import boto3`.

Both run in the same session, alternated, with Lambda-like environment variables
(X-Ray and boto3 behave differently inside Lambda). Prints medians and the ratio;
the budget in ARCHITECTURE.md is app / boto3 ≤ 1.35. Exit code 1 when over budget.

    .venv/bin/python bench/cold_start.py [--rounds 15]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 1.35
LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "paydrop-dev",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "LAMBDA_TASK_ROOT": str(ROOT),
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
    "TABLE_NAME": "paydrop-bench",
    "FILES_BUCKET": "paydrop-bench-files",
    "USER_POOL_ID": "us-east-1_bench",
    "USER_POOL_CLIENT_ID": "bench",
}
SNIPPETS = {
    "boto3": "import boto3",
    "app": "import app",
}
TIMER = "import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"


def time_import(code: str) -> float:
    env = {**os.environ, **LAMBDA_ENV, "PYTHONDONTWRITEBYTECODE": "0"}
    out = subprocess.run(
        [sys.executable, "-c", TIMER.format(code=code)], cwd=ROOT, env=env,
        capture_output=True, text=True, check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    for code in SNIPPETS.values():  # warm the OS file cache and the .pyc files
        time_import(code)
    samples: dict[str, list[float]] = {name: [] for name in SNIPPETS}
    for _ in range(args.rounds):
        for name, code in SNIPPETS.items():
            samples[name].append(time_import(code))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    ratio = medians["app"] / medians["boto3"]
    print(f"rounds: {args.rounds} (alternated, fresh interpreter each, Lambda-like environment)")
    for name, values in samples.items():
        print(f"import {name:<6} median {medians[name] * 1000:7.1f} ms   min {min(values) * 1000:7.1f} ms   "
              f"max {max(values) * 1000:7.1f} ms")
    print(f"ratio app/boto3: {ratio:.2f}  (budget ≤ {BUDGET})  -> {'OK' if ratio <= BUDGET else 'OVER BUDGET'}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
