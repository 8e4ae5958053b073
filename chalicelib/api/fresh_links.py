"""`POST /fresh-link`: "Email me a fresh link" from a dead-end page. Form or JSON; one answer
for every address (services/identity/fresh_links.py)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.html import brand, check_same_origin, client_json, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, client_ip, form_or_json
from chalicelib.api.urls import absolute_url
from chalicelib.domain.fresh_link_inputs import FreshLinkInput
from chalicelib.services.identity import fresh_links

bp = Blueprint(__name__)


@bp.route("/fresh-link", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@page_errors(lambda: bp.current_request.headers)
def fresh_link() -> Any:
    request = bp.current_request
    check_same_origin(request)
    data = form_or_json(bp, FreshLinkInput)
    business_id = data.business_id if isinstance(data.business_id, str) else None
    fresh_links.request_fresh_link(business_id, data.email, client_ip(request), absolute_url(request, ""))
    if wants_json(request.headers):
        return client_json({"sent": "if_known", "business_known": business_id is not None}, 202)
    # The business's colours when the page named one that exists; the words are the same either way.
    business = fresh_links.business_of(business_id)
    return render("fresh_link_sent.html", status=202, email=data.email, known_business=business_id is not None,
                  business=brand(business) if business else None)
