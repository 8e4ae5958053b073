"""Every 4xx a person can cause by typing is written for that person: it names the field, says
what is allowed in words (money in the currency's units), and never leaks the validator's
jargon ("Expected `int`, got `float`", "$.lines[0]"). The dashboard checks the same limits,
from the same source, before sending: same refusals, same words."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests.conftest import ROOT

JARGON = re.compile(r"Expected|`|\$\.|\b(int|str|float|bool|null|None|NoneType|array|dict|decimal|Decimal|UnsetType)\b")
SAMPLES = {  # a valid value for each pattern, by what it means
    "an email address like name@example.com": "ada@example.com", "a three-letter currency code like EUR": "EUR",
    "a colour like #1A2B3C": "#112233", "an id (letters, digits, - and _)": "abc", "an amount like 40.00": "40.00",
    "64 lowercase hexadecimal characters": "a" * 64,
}


def _limits(tenant: Any) -> dict[str, Any]:
    reply = tenant.api.get("/api/v1/limits")
    assert reply.status == 200
    return reply.json  # type: ignore[no-any-return]


def _valid(spec: dict[str, Any]) -> Any:
    kind = spec["kind"]
    if kind == "integer":
        return spec.get("min", 0)
    if kind == "text":
        return (spec.get("choices") or [SAMPLES.get(spec.get("means", ""), "x" * spec.get("min_length", 1))])[0]
    if kind == "object":
        return {name: _valid(f) for name, f in spec["fields"].items() if f.get("required")}
    return {"boolean": True, "date": "2026-12-31", "decimal": "1", "list": []}.get(kind)


def _bad(spec: dict[str, Any], path: list[str | int]) -> list[tuple[Any, list[str | int]]]:
    """(bad value, path of the field the error must name) for one field: wrong types, out of range."""
    kind, out = spec["kind"], []
    wrong_type = {"integer": ["12", 1.5], "text": [12345, True], "boolean": ["yes", 1], "date": ["31/12/2026", 5],
                  "decimal": [True, "abc"], "list": ["x", {}], "object": [5, "x"]}
    out += [(v, path) for v in wrong_type.get(kind, [])]
    if kind == "integer":
        out += [(spec["max"] + 1, path)] if "max" in spec else []
        out += [(spec["min"] - 1, path)] if "min" in spec else []
    if kind == "text":
        out += [("x" * (spec["max_length"] + 1), path)] if "max_length" in spec else []
        out += [("", path)] if spec.get("min_length") == 1 else []
        out += [("no <good> \u0001", path)] if ("pattern" in spec or "choices" in spec) else []
    if kind == "list":
        item = spec["item"]
        if "max_length" in spec and spec["max_length"] <= 1000:
            out.append(([_valid(item)] * (spec["max_length"] + 1), path))
        out += [([], path)] if spec.get("min_length") == 1 else []
        out += [([value], at) for value, at in _bad(item, [*path, 0])]
    if kind == "object":
        for name, nested in spec["fields"].items():
            out += [({**_valid(spec), name: value}, at) for value, at in _bad(nested, [*path, name])]
    return out


def _field(path: list[str | int]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _cases(limits: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], str]]:
    """(route, shape, body, expected field) for every field of every staff route's body."""
    cases = []
    for route, shape_name in limits["routes"].items():
        for name, spec in limits["shapes"][shape_name].items():
            for value, at in _bad(spec, [name]):
                cases.append((route, shape_name, {name: value}, _field(at)))
    return cases


def _send(tenant: Any, route: str, body: Any) -> Any:
    method, template = route.split(" ")
    path = "/api/v1" + re.sub(r"\{[^}]+\}", "x1", template)  # any id: bodies are checked before lookups
    return tenant.api.call(method, path, body)


def _labels(spec: dict[str, Any]) -> set[str]:
    found = {spec["label"].lower()}
    for nested in [spec.get("item"), *spec.get("fields", {}).values()]:
        if nested:
            found |= _labels(nested)
    return found


def test_every_staff_body_error_is_in_plain_words_and_names_the_field(tenant: Any) -> None:
    limits = _limits(tenant)
    cases = _cases(limits)
    assert len(cases) > 300
    for route, shape, body, field in cases:
        reply = _send(tenant, route, body)
        assert reply.status == 400, (route, body, reply.status)
        error = reply.error
        assert not JARGON.search(error["message"]), (route, body, error)
        assert error["field"] == field, (route, body, error)
        spec = limits["shapes"][shape][field.split(".")[0].split("[")[0]]
        assert any(label in error["message"].lower() for label in _labels(spec)), (route, body, error)
    # Nothing was written by any of those requests.
    for listing in ("clients", "products", "invoices", "quotes", "resources", "projects"):
        assert tenant.api.get(f"/api/v1/{listing}").json["items"] == [], listing


def test_money_limits_are_in_the_currency_s_units(make_tenant: Any) -> None:
    eur, jpy = make_tenant(currency="EUR"), make_tenant(currency="JPY")
    too_much = {"name": "Course", "unit_price": 10**12 + 1}
    assert eur.api.post("/api/v1/products", too_much).error == {
        "code": "invalid", "field": "unit_price", "message": "Unit price must be at most €10,000,000,000.00."}
    assert jpy.api.post("/api/v1/products", too_much).error["message"] == "Unit price must be at most JP¥1,000,000,000,000."
    assert eur.api.post("/api/v1/products", {"name": "Course", "unit_price": 10.5}).error["message"] == (
        "Unit price must be an amount in the currency's smallest unit, a whole number (1050 means €10.50).")
    client_id = eur.client_id()
    in_kwd = eur.api.post("/api/v1/invoices", {"client_id": client_id, "currency": "KWD",
                                               "lines": [{"description": "x", "unit_price": 10**12 + 1}]})
    assert in_kwd.error["message"] == "Unit price (line 1) must be at most KWD1,000,000,000.000."
    draft = eur.api.post("/api/v1/invoices", {"client_id": client_id, "currency": "JPY"}).json
    payment = eur.api.patch(f"/api/v1/invoices/{draft['id']}", {"minimum_partial": -1})
    assert payment.error["message"] == "Minimum part payment cannot be negative."
    paid = eur.api.post(f"/api/v1/invoices/{draft['id']}/payments", {"amount": 0})
    assert paid.error["message"] == "Amount must be at least JP¥1."  # the invoice's currency, not the business's


def test_the_route_table_matches_what_each_route_decodes(tenant: Any, chalice_app: Any) -> None:
    """Each listed route refuses an unknown field of its shape; every other staff POST/PATCH/PUT
    takes no body, so a new body route cannot be left out of the dashboard's checks."""
    limits = _limits(tenant)
    for route in limits["routes"]:
        reply = _send(tenant, route, {"zz_unknown": 1})
        assert reply.status == 400 and reply.error["field"] == "zz_unknown", (route, reply.body)
        assert reply.error["message"] == "“zz_unknown” is not a field you can send here; remove it."
    for path, methods in chalice_app.routes.items():
        for method, entry in methods.items():
            if method not in ("POST", "PATCH", "PUT") or not path.startswith("/api/v1/") or entry.authorizer is None:
                continue
            route = f"{method} {path.removeprefix('/api/v1')}"
            if route in limits["routes"]:
                continue
            reply = _send(tenant, route, {"zz_unknown": 1})
            assert not (reply.status == 400 and reply.error.get("field") == "zz_unknown"), route


def test_the_served_limits_are_the_ones_the_server_enforces(tenant: Any) -> None:
    """At each served bound the decoder accepts; one past it, it refuses that field."""
    from chalicelib.api.limits import ROUTE_BODIES  # shapes may live in a feature's own inputs module

    shapes = {shape.__name__: shape for shape in ROUTE_BODIES.values()}
    limits = _limits(tenant)
    checked = 0
    for shape_name, fields in limits["shapes"].items():
        shape = shapes[shape_name]
        for name, spec in fields.items():
            bounds = []
            if spec["kind"] == "integer":
                bounds = [(spec[k], spec[k] + step) for k, step in (("max", 1), ("min", -1)) if k in spec]
            elif spec["kind"] == "text" and "max_length" in spec and "pattern" not in spec and "choices" not in spec:
                bounds = [("x" * spec["max_length"], "x" * (spec["max_length"] + 1))]
            for ok, past in bounds:
                assert _refused_field(shape, name, ok) != name, (shape_name, name, ok)
                assert _refused_field(shape, name, past) == name, (shape_name, name, past)
                checked += 1
    assert checked > 40


def _refused_field(shape: type, name: str, value: Any) -> str | None:
    try:
        msgspec.json.decode(json.dumps({name: value}), type=shape)
    except msgspec.ValidationError as e:
        text = str(e)
        return name if f"`$.{name}`" in text else "other"
    return None


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the dashboard's checks")
def test_the_dashboard_refuses_the_same_bodies_with_the_same_words(tenant: Any, tmp_path: Path) -> None:
    limits = _limits(tenant)
    cases = _cases(limits)
    server = []
    for route, _, body, _field_name in cases:
        error = _send(tenant, route, body).error
        server.append({"field": error["field"], "message": error["message"]})
    checks = (ROOT / "chalicelib/static/app/checks.js").as_uri()
    data = tmp_path / "cases.json"
    data.write_text(json.dumps({"limits": limits, "cases": [[route, body] for route, _, body, _ in cases]}))
    script = tmp_path / "run.mjs"
    script.write_text(
        "import { readFileSync } from 'node:fs';\n"
        f"import {{ checkBody, shapeFor }} from '{checks}';\n"
        f"const {{ limits, cases }} = JSON.parse(readFileSync({json.dumps(str(data))}, 'utf8'));\n"
        "const out = cases.map(([route, body]) => {\n"
        "  const [method, template] = route.split(' ');\n"
        "  const path = template.replace(/\\{[^}]+\\}/g, 'x1');\n"
        "  return checkBody(shapeFor(limits, method, path), body, 'EUR', 2);\n"
        "});\n"
        "process.stdout.write(JSON.stringify(out));\n")
    ran = subprocess.run(["node", str(script)], capture_output=True, text=True, timeout=60, check=True)
    dashboard = json.loads(ran.stdout)
    mismatched = [(c[0], c[2], s, d) for c, s, d in zip(cases, server, dashboard, strict=True) if s != d]
    assert not mismatched, "\n".join(map(str, mismatched[:12]))


def test_a_client_paying_too_much_reads_the_limit_in_the_invoice_s_currency(make_tenant: Any, anonymous: Any) -> None:
    from tests.conftest import local_path

    tenant = make_tenant(currency="GBP")
    page = local_path(tenant.share(tenant.invoice()["id"]))
    reply = anonymous.call("POST", page + "/pay", {"amount": 10**12 + 1}, headers={"Accept": "application/json"})
    assert reply.status == 400
    assert reply.json["error"]["message"] == "Amount must be at most £10,000,000,000.00."
