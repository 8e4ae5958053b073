"""The OpenAPI 3.1 document of the staff API, generated from the code (never written by hand):
every route the app registered under /api/v1 (path parameters, methods, the permission each
requires), and the JSON body each decodes, from the msgspec shapes themselves
(`msgspec.json.schema_components`). Built on first request and cached for the container.
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from typing import Any

API_PREFIX = "/api/v1"
SECURITY: list[dict[str, list[str]]] = [{"cognito": []}, {"apiKey": []}]
SECURITY_SCHEMES = {
    "cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "The Cognito ID token from POST /api/v1/auth/login."},
    "apiKey": {"type": "http", "scheme": "bearer",
               "description": "A personal API key (pd_live_…) created under Developers, as a bearer token."},
}
ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "field": {"type": ["string", "null"]}}}}}
_ERRORS = {"400": "The input was refused (the message says why, `field` names what).",
           "401": "No valid token or API key.", "403": "Your role does not allow this.",
           "404": "Not found (or another business's).", "429": "Too many requests; see Retry-After."}
_PARAM = re.compile(r"\{(\w+)\}")


def _portable(schema: Any) -> Any:
    """Python's end-of-text `\\Z` in patterns as ECMA-262's `$` (the regex dialect JSON Schema uses)."""
    if isinstance(schema, dict):
        return {k: (v[:-2] + "$" if k == "pattern" and isinstance(v, str) and v.endswith("\\Z") else _portable(v))
                for k, v in schema.items()}
    if isinstance(schema, list):
        return [_portable(v) for v in schema]
    return schema


def _summary(view: Any) -> str:
    doc = inspect.getdoc(getattr(view, "__wrapped__", view)) or ""
    return doc.splitlines()[0] if doc else view.__name__.replace("_", " ").capitalize()


def _operation(path: str, method: str, entry: Any, body: str | None, permission: str | None) -> dict[str, Any]:
    view = entry.view_function
    tag = str(getattr(view, "__module__", "api")).rsplit(".", 1)[-1]
    operation: dict[str, Any] = {
        # Unique by construction: a module names each view once; one view may serve several methods.
        "operationId": f"{tag}.{getattr(view, '__name__', 'view')}.{method.lower()}",
        "summary": _summary(view),
        "tags": [tag],
        "parameters": [{"name": p, "in": "path", "required": True,
                        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}} for p in _PARAM.findall(path)],
        "responses": {"200" if method != "POST" else "201": {"description": "Done.", "content": {
            "application/json": {"schema": {"type": "object"}}}},
            **{code: {"description": words, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
               for code, words in _ERRORS.items()}},
        "security": SECURITY if permission else [],
    }
    if permission:
        operation["x-permission"] = permission
    if body:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}}}
    return operation


def build(routes: Mapping[str, Mapping[str, Any]], bodies: Mapping[str, type],
          permissions: Mapping[tuple[str, str], str]) -> dict[str, Any]:
    """The document for `routes` (app.routes), `bodies` ("METHOD /path" below /api/v1 → shape) and
    `permissions` ((method, path) → the permission staff_route records)."""
    import msgspec

    shapes = sorted(set(bodies.values()), key=lambda s: s.__name__)
    _, components = msgspec.json.schema_components(shapes, ref_template="#/components/schemas/{name}")
    paths: dict[str, Any] = {}
    for path in sorted(p for p in routes if p.startswith(API_PREFIX + "/")):
        for method, entry in sorted(routes[path].items()):
            shape = bodies.get(f"{method} {path.removeprefix(API_PREFIX)}")
            paths.setdefault(path, {})[method.lower()] = _operation(
                path, method, entry, shape.__name__ if shape else None, permissions.get((method, path)))
    return {
        "openapi": "3.1.0",
        "info": {"title": "Paydrop staff API", "version": "1",
                 "description": "Generated from the app's routes and input shapes. Errors: "
                                "{\"error\": {code, message, field}}. Webhooks: see docs/ARCHITECTURE.md."},
        "paths": paths,
        "components": {"schemas": {**_portable(components), "Error": ERROR}, "securitySchemes": SECURITY_SCHEMES},
    }
