"""Code run in a fresh interpreter: what a cold container imports, which an in-process test that
imported `app` once for the session cannot see."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What Lambda sets that the app reads (`settings().in_lambda`, the region).
LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "paydrop-dev", "AWS_REGION": "us-east-1"}


def last_line(code: str, env: dict[str, str] | None = None) -> str:
    """Run `code` with `python -c` from the project root and return the last line it printed.
    `env`: the whole environment (plus a bare PATH), e.g. `{**LAMBDA, ...}`; None inherits ours."""
    environment = None if env is None else {"PATH": "/usr/bin:/bin", **env}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
                         timeout=60, check=True)
    return out.stdout.strip().splitlines()[-1]
