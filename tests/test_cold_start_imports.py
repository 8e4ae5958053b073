"""The page Lambda's cold start: `import app` must not load the heavy libraries that only some
paths need (Stripe, PyJWT/cryptography, X-Ray outside Lambda). Counted, not timed; the
timing is in bench/cold_start.py."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("stripe", "jwt", "cryptography", "aws_xray_sdk", "reportlab", "PIL", "pypdfium2", "pi_heif")


def test_importing_the_app_loads_none_of_the_heavy_libraries() -> None:
    code = f"import app, sys, json; print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
