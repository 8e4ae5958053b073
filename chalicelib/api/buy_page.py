"""The public page of a buy link: `GET /buy/{token}` (works without JavaScript), `POST
/buy/{token}` (a plain form: email, optional name and quantity) answers 303 to the checkout."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.checkout import to_checkout
from chalicelib.api.html import brand, check_same_origin, client_json, page_errors, payment_notice, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, client_ip, form_or_json
from chalicelib.api.urls import absolute_url
from chalicelib.domain.buy_link_inputs import BuyInput
from chalicelib.services.selling import page, purchase

bp = Blueprint(__name__)


@bp.route("/buy/{token}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@page_errors(lambda: bp.current_request.headers)
def buy_page(token: str) -> Any:
    offer, view = page.page_view(token)
    if wants_json(bp.current_request.headers):
        return client_json(view)
    # A closed offer still answers 200 with the page saying why: the link itself is not wrong.
    return render("buy_link.html", business=brand(offer.business), offer=view,
                  notice=payment_notice(bp.current_request.query_params),
                  action=absolute_url(bp.current_request, f"/buy/{token}"))


@bp.route("/buy/{token}", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@page_errors(lambda: bp.current_request.headers)
def buy(token: str) -> Any:
    request = bp.current_request
    check_same_origin(request)
    data = form_or_json(bp, BuyInput)
    url = purchase.start_purchase(token, data, client_ip(request), absolute_url(request, f"/buy/{token}"),
                                  absolute_url(request, ""))
    return to_checkout(request, url)
