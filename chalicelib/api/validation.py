"""msgspec's refusals, reworded for the person who typed the value.

msgspec says "Expected `int` <= 1000000000000 - at `$.lines[0].unit_price`"; staff should
read "Unit price (line 1) must be at most 10,000,000,000.00 EUR.". Only the kind of refusal
and the path are taken from msgspec's text; the words come from the field's own limits
(`domain/limits.py`), so they can never disagree with what is enforced. Money is shown in
the currency's units; the currency is looked up only when a money field is refused.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import msgspec

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.limits import Field, field_at, label_of
from chalicelib.domain.money import format_amount, percent_text

_AT = " - at `"
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_MISSING = re.compile(r"Object missing required field `(.+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `(.+)`")
_BOUND = re.compile(r"([<>]=?) (-?\d+)")
_KIND_WORDS = {
    "integer": "a whole number", "text": "text", "boolean": "true or false", "date": "a date like 2026-12-31",
    "decimal": "a number like 1.5", "list": "a list", "object": "a JSON object",
}


def translate(error: msgspec.ValidationError, shape: type, currency: Callable[[], str | None]) -> ValidationError:
    """A ValidationError with a plain message that names the field, and `field` set to its path."""
    text = str(error)
    message, _, where = text.partition(_AT)
    path = _path(where.rstrip("`"))
    missing = _MISSING.match(message)
    if missing:
        path = [*path, missing.group(1)]
        return _error(f"{label_of(path)} is required.", path)
    unknown = _UNKNOWN.match(message)
    if unknown:
        path = [*path, unknown.group(1)]
        return _error(f"“{unknown.group(1)}” is not a field you can send here; remove it.", path)
    spec = field_at(shape, path)
    label = label_of(path)
    if spec is None:
        return _error(f"{label} is not valid.", path)
    return _error(f"{label} {_problem(message, spec, currency)}.", path)


def _problem(message: str, spec: Field, currency: Callable[[], str | None]) -> str:
    """What is wrong with the value, in words, per kind of constraint msgspec reported."""
    if "got `" in message or message.startswith("Invalid"):
        if spec.money:
            return f"must be an amount in the currency's smallest unit, a whole number ({_example(currency())})"
        return f"must be {_KIND_WORDS.get(spec.kind, 'a valid value')}"
    if "matching regex" in message:
        if spec.choices:
            return "must be one of: " + ", ".join(spec.choices)
        return f"must be {spec.extra['means']}" if spec.extra.get("means") else "has a format that is not accepted"
    if "of length" in message:
        return _length(spec, ">" in message)
    bound = _BOUND.search(message)
    if bound:
        return _range(spec, bound.group(1).startswith(">"), currency)
    return "is not valid"


def _length(spec: Field, too_short: bool) -> str:
    if spec.kind == "list":
        if too_short:
            return "must have at least one item" if spec.min_length == 1 else f"must have at least {spec.min_length} items"
        return f"can have at most {spec.max_length:,} items"
    if too_short:
        return "cannot be empty" if spec.min_length == 1 else f"must be at least {spec.min_length:,} characters"
    return f"must be at most {spec.max_length:,} characters"


def _range(spec: Field, too_low: bool, currency: Callable[[], str | None]) -> str:
    low, high = spec.minimum, spec.maximum
    if spec.money:
        code = currency()
        if too_low:
            return "cannot be negative" if low == 0 else f"must be at least {_amount(low or 0, code)}"
        return f"must be at most {_amount(high or 0, code)}"
    unit = str(spec.extra.get("unit") or "")
    if unit.startswith("basis points"):  # shown as the percentage a person typed
        def show(n: int) -> str:
            return f"{percent_text(n)} %"
    else:
        def show(n: int) -> str:
            return f"{n:,}{' ' + unit if unit else ''}"
    if low is not None and high is not None:
        first = f"{low:,}" if unit and not unit.startswith("basis points") else show(low)  # "from 1 to 30 days"
        return f"must be from {first} to {show(high)}"
    return f"must be at least {show(low or 0)}" if too_low else f"must be at most {show(high or 0)}"


def _amount(minor: int, currency: str | None) -> str:
    if currency:
        return format_amount(minor, currency)
    return f"{minor:,} in the currency's smallest unit (cents)"


def _example(currency: str | None) -> str:
    return f"1050 means {format_amount(1050, currency)}" if currency else "1050 means 10.50"


def _path(where: str) -> list[str | int]:
    """`$.lines[0].unit_price` → ["lines", 0, "unit_price"]."""
    return [int(index) if index else name for name, index in _STEP.findall(where.removeprefix("$"))]


def field_name(path: list[str | int]) -> str | None:
    """The `field` of the error body: `lines[0].unit_price`, as before (the dashboard finds inputs by it)."""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return text or None


def _error(message: str, path: list[str | int]) -> ValidationError:
    return ValidationError(message, field=field_name(path))
