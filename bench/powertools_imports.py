"""What Powertools costs on a cold start: each piece imported after `import boto3`, in a fresh
interpreter with Lambda's environment, with warm bytecode (.pyc cached) and without any (a fresh,
empty PYTHONPYCACHEPREFIX per run: every module compiled from source, as Lambda runs a zip that
ships no .pyc). Medians over the rounds; figures go to docs/PERFORMANCE.md "Powertools import cost".

    .venv/bin/python bench/powertools_imports.py [--rounds 9]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "paydrop-dev", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11", "LAMBDA_TASK_ROOT": str(ROOT),
    "TABLE_NAME": "paydrop-bench", "FILES_BUCKET": "paydrop-bench-files",
}
PIECES = {
    "Logger (+ package init: Metrics, Tracer modules)": "import aws_lambda_powertools.logging",
    "Metrics": "import aws_lambda_powertools.metrics",
    "Idempotency": "import aws_lambda_powertools.utilities.idempotency",
    "Batch": "import aws_lambda_powertools.utilities.batch",
    "Parameters": "import aws_lambda_powertools.utilities.parameters",
    "import app": "import app",
    "import app + first request's logs.configure()": "import app; from chalicelib import logs; logs.configure()",
}
TIMER = "import boto3, time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"


def timed(code: str, cached: bool) -> float:
    env = {**os.environ, **LAMBDA_ENV}
    with tempfile.TemporaryDirectory() as empty:
        if not cached:
            env["PYTHONPYCACHEPREFIX"] = empty  # nothing cached there: everything compiles from source
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        out = subprocess.run([sys.executable, "-c", TIMER.format(code=code)], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1]) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=9)
    rounds = parser.parse_args().rounds
    for code in PIECES.values():
        timed(code, cached=True)  # warm the OS file cache and write the .pyc files
    print(f"after `import boto3`, median of {rounds} fresh interpreters, Lambda's environment")
    print(f"{'':50} {'warm .pyc':>10} {'no .pyc':>10}")
    for name, code in PIECES.items():
        warm = statistics.median(timed(code, cached=True) for _ in range(rounds))
        cold = statistics.median(timed(code, cached=False) for _ in range(rounds))
        print(f"{name:50} {warm:8.1f} ms {cold:8.1f} ms")


if __name__ == "__main__":
    main()
