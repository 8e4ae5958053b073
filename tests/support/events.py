"""Sample events as they reach Paydrop (tests/events/*.json): Stripe webhooks, an S3 notification
through SQS, an API Gateway proxy request. Read a sample, then say what differs in this test."""
from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parent.parent / "events"


@cache
def _sample(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text())  # type: ignore[no-any-return]


def _merged(base: Any, overrides: dict[str, Any]) -> Any:
    """Dicts merge key by key (a nested dict in `overrides` changes only the keys it names); other values replace."""
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merged(base[key], value)
        else:
            base[key] = value
    return base


def event(name: str, **overrides: Any) -> dict[str, Any]:
    """A fresh copy of sample `name` (e.g. "stripe/charge.refunded") with `overrides` merged in."""
    return _merged(copy.deepcopy(_sample(name)), overrides)  # type: ignore[no-any-return]
