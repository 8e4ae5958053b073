"""Staff: the business's payments, refunds and disputes, newest first."""
from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint

from chalicelib.api import present
from chalicelib.api.http import listed, staff_route
from chalicelib.domain.permissions import VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.billing import documents

bp = Blueprint(__name__)


@staff_route(bp, "/api/v1/payments", VIEW)
def payments(principal: Principal) -> Any:
    return listed(bp.current_request, partial(documents.list_payments, principal), present.payment)
