"""The route tree as API Gateway will see it."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

# Where a fixed and a variable segment share a parent, no route may live at the fixed
# segment's own path (API Gateway takes the fixed branch and never falls back).
ALLOWED = {"/signin": "/signin/confirm has no route of its own: only /signin/confirm/{token}"}


def test_no_fixed_segment_shadows_a_variable_one(chalice_app: Any) -> None:
    children: dict[str, set[str]] = defaultdict(set)
    for path in chalice_app.routes:
        segments = path.strip("/").split("/")
        for i, segment in enumerate(segments):
            children["/" + "/".join(segments[:i])].add(segment)
    clashes = {parent for parent, kids in children.items()
               if any(k.startswith("{") for k in kids) and any(not k.startswith("{") for k in kids)}
    assert clashes == set(ALLOWED)
    for parent in clashes:
        fixed = [k for k in children[parent] if not k.startswith("{")]
        assert all(f"{parent}/{k}" not in chalice_app.routes for k in fixed)
