"""axe-core in the browser tests: `assert_accessible(page, name)` injects the pinned axe-core
(`make axe` fetches it from the npm registry into build/vendor/) into the page as it is and fails
listing every serious or critical violation with the elements it found it on."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.dev_stack import ROOT

VENDOR = ROOT / "build" / "vendor"
BLOCKING = ("serious", "critical")
# AXE_ALL=1 also fails on moderate and minor findings: a way to see everything axe has to say.
ALL = os.environ.get("AXE_ALL") == "1"
# WCAG 2.2 A/AA plus axe's best practices (landmarks, one main, headings); serious/critical fail.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_script() -> Path:
    """The pinned axe.min.js (its version is the Makefile's AXE_VERSION)."""
    makefile = (ROOT / "Makefile").read_text()
    version = re.search(r"^AXE_VERSION := (\S+)$", makefile, re.M)
    assert version, "the Makefile pins AXE_VERSION"
    path = VENDOR / f"axe-core-{version.group(1)}.min.js"
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: `make axe` (run by `make test` and `make e2e`) fetches it")
    return path


def violations(page: Any) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now (once it has loaded)."""
    page.wait_for_load_state()
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_script()))
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
                          ".then(r => r.violations)", TAGS)
    return [v for v in found if ALL or v.get("impact") in BLOCKING]


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} element(s))")
        for node in v["nodes"][:8]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")[:240]
            lines.append(f"    {target}  {node.get('html', '')[:160]}\n      {summary}")
    return "\n".join(lines)


def assert_accessible(page: Any, name: str) -> None:
    """0 serious or critical axe-core violations on `page` (`name` says which screen it is)."""
    found = violations(page)
    assert not found, f"axe-core on {name} ({page.url}):\n{describe(found)}"
