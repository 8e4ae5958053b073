"""`GET /api/v1/openapi.json`: the staff API described from its own routes and input shapes."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import STAFF_PERMISSIONS, json_response, staff_route
from chalicelib.domain.permissions import VIEW
from chalicelib.domain.principal import Principal

bp = Blueprint(__name__)
_built: dict[str, Any] = {}  # per container: built on the first request, off the cold import path


def document() -> dict[str, Any]:
    if "doc" not in _built:
        from chalicelib.api.limits import ROUTE_BODIES
        from chalicelib.services.developer import openapi

        _built["doc"] = openapi.build(bp.current_app.routes, ROUTE_BODIES, STAFF_PERMISSIONS)
    return _built["doc"]


@staff_route(bp, "/api/v1/openapi.json", VIEW)
def get_openapi(principal: Principal) -> Any:
    """The OpenAPI 3.1 document of this API (staff only: it maps every route)."""
    return json_response(document(), headers={"Cache-Control": "private, max-age=300"})
