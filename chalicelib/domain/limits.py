"""The limits of every input shape, read from the shapes themselves (`domain/inputs.py`).

One source for three readers: the server's decoder (msgspec enforces the shapes), the error
messages (`api/validation.py` words a refusal from the field's limits), and the dashboard
(`GET /api/v1/limits` serves `spec_of` for every shape, and `static/app/checks.js` checks a
body against it before sending). Pure: no AWS, no HTTP.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import msgspec.inspect as mi

# Field names whose plain-English label is not just the name with spaces.
LABELS = {
    "tax_rate_bp": "Tax rate", "discount_bp": "Discount", "po_number": "PO number", "sha256": "SHA-256",
    "minimum_partial": "Minimum part payment", "minimum_partial_default": "Default minimum part payment",
    "allow_partial": "Allow part payments", "allow_partial_default": "Allow part payments by default",
    "payment_terms_days": "Payment terms", "log_retention_days": "Log retention", "client_id": "Client",
    "product_id": "Product", "resource_id": "Resource", "invoice_id": "Invoice", "target_id": "Target",
    "logo_key": "Logo", "url": "URL", "etag": "ETag", "portal_tabs_off": "Hidden portal tabs",
    "brand_color": "Brand colour", "accent_color": "Accent colour", "content_type": "Content type",
    "amount_text": "Amount", "received_on": "Received on", "keep_after_refund": "Keep after refund",
}
# What one item of a list is called ("line 3", "contact 1").
ITEM_NAMES = {"lines": "line", "contacts": "contact", "tags": "tag", "parts": "part", "part_numbers": "part number",
              "portal_tabs_off": "portal tab"}
_CHOICES = re.compile(r"\^\(((?:[A-Za-z0-9_|-]|\\\.)+)\)\\Z")  # words, dots escaped ("invoice\.sent")


@dataclass(frozen=True)
class Field:
    """One field's type and limits, as a person needs them."""

    kind: str  # integer | text | boolean | date | decimal | list | object | other
    nullable: bool = False
    minimum: int | None = None
    maximum: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    item: mi.Type | None = None  # lists: the items' type
    shape: mi.StructType | None = None  # objects: the nested shape

    @property
    def money(self) -> bool:
        return bool(self.extra.get("money"))

    @property
    def choices(self) -> list[str] | None:
        """A pattern like `^(a|b|c)\\Z` is a choice among words."""
        found = _CHOICES.fullmatch(self.pattern or "")
        return found.group(1).replace("\\.", ".").split("|") if found else None


def field_of(t: mi.Type) -> Field:
    """Unwrap `Annotated`, `| None` and `| UNSET` down to one type and its limits."""
    nullable, extra = False, {}
    if isinstance(t, mi.UnionType):
        members = [m for m in t.types if not isinstance(m, mi.NoneType)]
        nullable = len(members) < len(t.types)
        if len(members) != 1:
            return Field("other", nullable)
        t = members[0]
    if isinstance(t, mi.Metadata):
        extra, t = dict(t.extra or {}), t.type
    if isinstance(t, mi.IntType):
        low = t.ge if t.ge is not None else (t.gt + 1 if t.gt is not None else None)
        high = t.le if t.le is not None else (t.lt - 1 if t.lt is not None else None)
        return Field("integer", nullable, low, high, extra=extra)
    if isinstance(t, mi.StrType):
        return Field("text", nullable, min_length=t.min_length, max_length=t.max_length, pattern=t.pattern, extra=extra)
    if isinstance(t, mi.ListType):
        return Field("list", nullable, min_length=t.min_length, max_length=t.max_length, extra=extra, item=t.item_type)
    if isinstance(t, mi.StructType):
        return Field("object", nullable, extra=extra, shape=t)
    kinds = {mi.BoolType: "boolean", mi.DateType: "date", mi.DecimalType: "decimal"}
    return Field(kinds.get(type(t), "other"), nullable, extra=extra)


def field_at(shape: type, path: list[str | int]) -> Field | None:
    """The field a msgspec error path (`lines[2].unit_price` → ["lines", 2, "unit_price"]) points at."""
    current: mi.Type = mi.type_info(shape)
    for step in path:
        found = field_of(current)
        if isinstance(step, int) and found.item is not None:
            current = found.item
        elif isinstance(step, str) and found.shape is not None:
            named = [f for f in found.shape.fields if f.encode_name == step]
            if not named:
                return None
            current = named[0].type
        else:
            return None
    return field_of(current)


def label_of(path: list[str | int]) -> str:
    """`["lines", 2, "unit_price"]` → "Unit price (line 3)"; `["tags", 0]` → "Tag 1"."""
    if not path:
        return "The request"
    where = [f"{ITEM_NAMES.get(str(path[i - 1]), 'item')} {int(p) + 1}"
             for i, p in enumerate(path) if isinstance(p, int) and i > 0]
    last = path[-1]
    if isinstance(last, int):  # an item of a list is the field
        return (where.pop() if where else f"Item {last + 1}").capitalize() + (f" ({', '.join(where)})" if where else "")
    leaf = LABELS.get(str(last)) or str(last).replace("_", " ").capitalize()
    return leaf + (f" ({', '.join(where)})" if where else "")


def spec_of(shape: type) -> dict[str, Any]:
    """A shape's fields and limits as JSON, for the dashboard."""
    info = mi.type_info(shape)
    assert isinstance(info, mi.StructType)
    return {f.encode_name: _spec(field_of(f.type), f.encode_name, f.required) for f in info.fields}


def _spec(found: Field, name: str, required: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"label": LABELS.get(name) or name.replace("_", " ").capitalize(), "kind": found.kind}
    for key, value in (("required", required), ("nullable", found.nullable), ("min", found.minimum),
                       ("max", found.maximum), ("min_length", found.min_length), ("max_length", found.max_length),
                       ("choices", found.choices), ("money", found.money), ("unit", found.extra.get("unit")),
                       ("means", found.extra.get("means"))):
        if value is not None and value is not False:  # (0 is a limit: `not in (None, False)` would drop it)
            spec[key] = value
    if found.pattern and not found.choices:
        spec["pattern"] = found.pattern.replace("\\Z", "$")  # the same rule in JavaScript's syntax
    if found.item is not None:
        spec["item"] = _spec(field_of(found.item), ITEM_NAMES.get(name, "item"))
    if found.shape is not None:
        spec["fields"] = {f.encode_name: _spec(field_of(f.type), f.encode_name, f.required) for f in found.shape.fields}
    return spec
