"""House rules a newcomer can rely on: no chalicelib module over 400 lines, no function over 40."""
from __future__ import annotations

import ast
from pathlib import Path

CHALICELIB = Path(__file__).resolve().parents[1] / "chalicelib"
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 40


def _modules() -> list[Path]:
    return sorted(CHALICELIB.rglob("*.py"))


def test_no_module_is_over_400_lines() -> None:
    long = {str(p.relative_to(CHALICELIB)): n for p in _modules()
            if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}, f"split these modules by what they do: {long}"


def test_no_function_is_over_40_lines() -> None:
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(CHALICELIB)}:{node.lineno} {node.name}"] = lines
    assert long == {}, f"split these functions by what they do: {long}"
