"""The server's rules and the dashboard's copy of them (static/app/rules.js) meet the same cases.

The dashboard computes figures and text colours only while a person types (saved documents
show the server's JSON); these cases keep its preview on the server's rule. The node half
runs when `node` is installed (the dev image has it) and is skipped otherwise."""
from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.colours import palette
from chalicelib.domain.figures import invoice_figures, rows
from chalicelib.domain.invoices import Line

ROOT = Path(__file__).resolve().parents[2]
MONEY = ROOT / "tests" / "cases" / "money.json"
COLOURS = ROOT / "tests" / "cases" / "colours.json"
RULES_JS = ROOT / "chalicelib" / "static" / "app" / "rules.js"
RUNNER = ROOT / "tests" / "js" / "run_cases.mjs"
MONEY_CASES: list[dict[str, Any]] = json.loads(MONEY.read_text())["cases"]
COLOUR_CASES: list[dict[str, Any]] = json.loads(COLOURS.read_text())["cases"]


def _row(r: Any) -> dict[str, Any]:
    return {"key": r.key, "label": r.label, "amount": r.amount, "sign": r.sign}


@pytest.mark.parametrize("case", MONEY_CASES, ids=[c["name"] for c in MONEY_CASES])
def test_the_server_figures_meet_the_shared_cases(case: dict[str, Any]) -> None:
    lines = [Line("x", Decimal(x["quantity"]), x["unit_price"], x["tax_rate_bp"], x["discount_bp"]) for x in case["lines"]]
    figures = invoice_figures(lines, case["paid"])
    assert json.loads(json.dumps(dataclasses.asdict(figures))) == case["expect"]  # tuples as lists
    assert [_row(r) for r in rows(figures)] == case["rows"]


@pytest.mark.parametrize("case", COLOUR_CASES, ids=[c["name"] for c in COLOUR_CASES])
def test_the_server_palette_meets_the_shared_cases(case: dict[str, Any]) -> None:
    assert dataclasses.asdict(palette(case["brand"], case["accent"])) == case["expect"]


@pytest.fixture(scope="module")
def dashboard_results() -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the dashboard's half of the shared cases cannot run")
    out = subprocess.run([node, str(RUNNER), str(RULES_JS), str(MONEY), str(COLOURS)],
                         capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_the_dashboard_figures_meet_the_same_cases(dashboard_results: dict[str, Any]) -> None:
    assert [r["name"] for r in dashboard_results["money"]] == [c["name"] for c in MONEY_CASES]
    for case, result in zip(MONEY_CASES, dashboard_results["money"], strict=True):
        assert result["figures"] == case["expect"], case["name"]
        assert result["rows"] == case["rows"], case["name"]


def test_the_dashboard_palette_meets_the_same_cases(dashboard_results: dict[str, Any]) -> None:
    for case, result in zip(COLOUR_CASES, dashboard_results["colours"], strict=True):
        assert result["palette"] == case["expect"], case["name"]
