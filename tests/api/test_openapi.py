"""The OpenAPI 3.1 document: valid (openapi-spec-validator), generated from the app itself, so it
names every staff route with its methods and path parameters, and references every body shape."""
from __future__ import annotations

import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from app import app
from chalicelib.api.http import STAFF_PERMISSIONS
from chalicelib.api.limits import ROUTE_BODIES
from tests.conftest import Tenant

STAFF_ROUTES = sorted((p, m) for p, methods in app.routes.items() if p.startswith("/api/v1/") for m in methods)


@pytest.fixture(scope="module")
def document(chalice_app: Any) -> dict[str, Any]:
    from chalicelib.api.openapi import document

    return document()


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)


@pytest.mark.parametrize("path, method", STAFF_ROUTES, ids=[f"{m} {p}" for p, m in STAFF_ROUTES])
def test_every_staff_route_is_described_with_its_parameters_and_auth(
        document: dict[str, Any], path: str, method: str) -> None:
    operation = document["paths"][path][method.lower()]
    assert [p["name"] for p in operation["parameters"]] == re.findall(r"\{(\w+)\}", path)
    permission = STAFF_PERMISSIONS.get((method, path))
    if permission:
        assert operation["x-permission"] == permission
        assert {"cognito": []} in operation["security"] and {"apiKey": []} in operation["security"]
    else:
        assert operation["security"] == []  # signing in


def test_every_body_shape_is_referenced_by_its_route(document: dict[str, Any]) -> None:
    for route, shape in ROUTE_BODIES.items():
        method, path = route.split(" ", 1)
        body = document["paths"]["/api/v1" + path][method.lower()]["requestBody"]
        assert body["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{shape.__name__}"}
        assert shape.__name__ in document["components"]["schemas"]


def test_body_limits_come_from_the_shapes(document: dict[str, Any]) -> None:
    endpoint = document["components"]["schemas"]["EndpointInput"]
    assert endpoint["required"] == ["url", "events"] and endpoint["additionalProperties"] is False
    assert endpoint["properties"]["url"]["maxLength"] == 2048
    assert "\\Z" not in str(document)  # patterns in the regex dialect JSON Schema uses


def test_the_document_is_served_to_staff(tenant: Tenant, anonymous: Any) -> None:
    reply = tenant.api.get("/api/v1/openapi.json")
    assert reply.status == 200 and reply.json["paths"]["/api/v1/webhook-endpoints"]["post"]
    assert anonymous.get("/api/v1/openapi.json").status == 401
