"""The layers' import rules, read from the source (ast), so a shortcut fails here rather than in review:

- api/ translates HTTP to service calls: no store, no AWS clients, no boto3 (store types may
  be named for annotations only, under `if TYPE_CHECKING:`);
- domain/ is pure rules: the standard library and other domain modules only;
- workers/ translate events to service calls: no store.
"""
from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "chalicelib"
BOTO = ("boto3", "botocore", "pynamodb")
# msgspec describes the input shapes and their limits (domain/inputs.py, domain/limits.py): a pure
# decoding library, no I/O, no clock, so the one third-party library domain may use.
# Babel writes money and dates by locale (domain/formatting.py): pure functions over its
# packaged CLDR data, no I/O of ours, no clock (callers pass `today`).
DOMAIN_MAY_USE = ("msgspec", "babel")


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path) -> Iterator[str]:
    """Every module `path` imports at run time (anywhere in the file, functions included),
    absolute names; imports under `if TYPE_CHECKING:` are skipped."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    yield from _walk(ast.parse(path.read_text(), filename=str(path)), package)


def _walk(node: ast.AST, package: str) -> Iterator[str]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield from _walk(other, package)
            continue
        if isinstance(child, ast.Import):
            yield from (alias.name for alias in child.names)
        elif isinstance(child, ast.ImportFrom):
            base = child.module or ""
            if child.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - child.level + 1] + ([base] if base else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in child.names)  # `from chalicelib import store`
        yield from _walk(child, package)


def _within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _offences(folder: str, refused: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in _modules(folder):
        bad = sorted({name for name in _imports(path) if _within(name, *refused)})
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def test_api_views_reach_the_store_and_aws_only_through_services() -> None:
    assert _modules("api")
    assert _offences("api", ("chalicelib.store", "chalicelib.aws", *BOTO)) == {}


def test_workers_call_services_not_the_store() -> None:
    assert _modules("workers")
    assert _offences("workers", ("chalicelib.store", *BOTO)) == {}


def test_domain_imports_only_the_standard_library_and_domain() -> None:
    found = {}
    for path in _modules("domain"):
        bad = sorted({
            name for name in _imports(path)
            if not _within(name, "chalicelib.domain", *DOMAIN_MAY_USE)
            and name.split(".")[0] not in sys.stdlib_module_names
        })
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    assert found == {}


@pytest.mark.parametrize("source, refused", [
    ("from chalicelib.store.documents import Document\n", True),
    ("from chalicelib import aws\n", True),
    ("def f():\n    import boto3\n", True),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from chalicelib.store.table import BaseItem\n", False),
    ("from chalicelib.services.billing import documents\n", False),
])
def test_the_check_sees_imports_wherever_they_are(source: str, refused: bool) -> None:
    names = set(_walk(ast.parse(source), "chalicelib.api"))
    assert any(_within(n, "chalicelib.store", "chalicelib.aws", *BOTO) for n in names) is refused, names
