"""Paying from the invoice page: `POST /invoice/{token}/pay` answers 303 to the checkout;
`/checkout/offline/{session_id}` is the local test-mode checkout (404 in the cloud)."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.client_sign_in import see_other
from chalicelib.api.html import check_same_origin, client_json, form_page, origin_of, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, amounts_in, client_ip, form_or_json
from chalicelib.api.urls import absolute_url
from chalicelib.domain.formatting import locale_of, money
from chalicelib.domain.inputs import OfflineOutcome, PayInput
from chalicelib.services.payments import checkout, offline_checkout
from chalicelib.services.selling import offline as buy_offline

bp = Blueprint(__name__)


@bp.route("/invoice/{token}/pay", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@page_errors(lambda: bp.current_request.headers, back=lambda: form_page(bp.current_request))
def pay(token: str) -> Any:
    request = bp.current_request
    check_same_origin(request)
    with amounts_in(lambda: checkout.link_currency(token)):  # a refused amount is shown in the invoice's currency
        data = form_or_json(bp, PayInput) if request.raw_body else PayInput()
    url = checkout.start_payment(token, data, client_ip(request), absolute_url(request, f"/invoice/{token}"),
                                 absolute_url(request, ""))
    return to_checkout(request, url)


def to_checkout(request: Any, url: str) -> Response:
    """303 to the checkout at `url`; a JSON caller (the app's own script) also reads `{"url": …}`."""
    response = see_other(url)
    if wants_json(request.headers):
        response.body = client_json({"url": url}).body
        response.headers["Content-Type"] = "application/json"
    return response


def _checkout_base() -> str:
    return checkout.offline_checkout_base(absolute_url(bp.current_request, ""))


@bp.route("/checkout/offline/{session_id}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@page_errors(lambda: bp.current_request.headers)
def offline_page(session_id: str) -> Any:
    if buy_offline.is_buy_session(session_id):  # a buy link's checkout (services/selling)
        return _offline_buy_page(session_id)
    found = offline_checkout.open_checkout(session_id)
    # Its form posts to itself, then the answer sends the client back to the app's page:
    # like Stripe's checkout, its form-action must allow the app's origin.
    back_to = origin_of(found.checkout.return_url or absolute_url(bp.current_request, ""))
    amount = money(int(found.checkout.amount), found.checkout.currency, locale_of(found.business))
    return render("offline_checkout.html", form_action=f"'self' {back_to}", business_name=found.business.name,
                  number=found.document.number, amount=amount,
                  action=f"{_checkout_base()}/checkout/offline/{session_id}")


@bp.route("/checkout/offline/{session_id}", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@page_errors(lambda: bp.current_request.headers)
def offline_finish(session_id: str) -> Any:
    request = bp.current_request
    check_same_origin(request, origin_of(_checkout_base()))
    outcome = form_or_json(bp, OfflineOutcome).outcome
    if buy_offline.is_buy_session(session_id):
        return see_other(buy_offline.finish(session_id, outcome == "pay", absolute_url(request, "/webhooks/stripe")))
    return see_other(offline_checkout.finish(session_id, outcome == "pay", absolute_url(request, "/webhooks/stripe")))


def _offline_buy_page(session_id: str) -> Any:
    found = buy_offline.open_checkout(session_id)
    reservation = found.reservation
    back_to = origin_of(reservation.return_url or absolute_url(bp.current_request, ""))
    return render("offline_checkout.html", form_action=f"'self' {back_to}", business_name=found.business.name,
                  number=None, what=f"{int(reservation.quantity)} × your order",
                  amount=money(int(reservation.amount), reservation.currency, locale_of(found.business)),
                  action=f"{_checkout_base()}/checkout/offline/{session_id}", decline="Abandon the checkout")
