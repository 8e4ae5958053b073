"""`/health`: the app is up (no dependencies touched, so it is cheap to poll)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.http import json_response
from chalicelib.config import settings

bp = Blueprint(__name__)


@bp.route("/health", methods=["GET"])
def health() -> Any:
    return json_response({"status": "ok", "stage": settings().stage})
