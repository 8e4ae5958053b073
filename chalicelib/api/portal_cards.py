"""The portal's saved cards and pre-payments, and the client applying credit to an invoice:
`/portal/{token}/payment-methods…`, `/portal/{token}/pre-payment`,
`/portal/{token}/pre-payment-plans/{plan_id}/stop` and `/resume`,
`/portal/{token}/invoices/{doc_id}/use-credit` (each also under `/portal/me/…`), and the
offline checkout's setup and pre-payment pages (`/checkout/offline-cards/{session_id}`, local
runs only). The tabs themselves render in `api/portal.py`."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from chalicelib import clock
from chalicelib.api.client_sign_in import see_other
from chalicelib.api.html import check_same_origin, client_json, origin_of, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, client_ip, form_or_json
from chalicelib.api.portal_access import limit_pay_clicks, open_portal_form
from chalicelib.api.urls import absolute_url
from chalicelib.domain.card_inputs import PrepaymentInput, TestCardChoice
from chalicelib.domain.formatting import locale_of, money
from chalicelib.services.billing import credits
from chalicelib.services.payments import checkout, offline_cards, plan_controls, prepayments, saved_cards
from chalicelib.services.portal import portal

bp = Blueprint(__name__)


def _errors() -> Any:
    return page_errors(lambda: bp.current_request.headers)


def _portal(token: str, path_ids: dict[str, str] | None = None) -> tuple[Any, portal.PortalAccess, str]:
    """The request (a same-origin form post), who sent it, and the portal's own URL."""
    request = bp.current_request
    access = open_portal_form(request, token, path_ids)
    return request, access, absolute_url(request, f"/portal/{token}")


def _done(request: Any, next_url: str) -> Any:
    """303 to the next page; JSON callers get `{"next": …}`."""
    return client_json({"next": next_url}) if wants_json(request.headers) else see_other(next_url)


@bp.route("/portal/{token}/payment-methods", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def add_card(token: str) -> Any:
    request, access, page = _portal(token)
    saved_cards.limit(access, client_ip(request))
    return _done(request, saved_cards.start_setup(access, page, absolute_url(request, "")))


@bp.route("/portal/{token}/payment-methods/{payment_method}/remove", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def remove_card(token: str, payment_method: str) -> Any:
    return _card_action(token, payment_method, saved_cards.remove)


@bp.route("/portal/{token}/payment-methods/{payment_method}/default", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def default_card(token: str, payment_method: str) -> Any:
    return _card_action(token, payment_method, saved_cards.make_default)


def _card_action(token: str, payment_method: str, act: Callable[[portal.PortalAccess, str], None]) -> Any:
    """Do `act` to one of the client's saved cards, then back to the cards tab."""
    request, access, page = _portal(token, {"payment_method": payment_method})
    saved_cards.limit(access, client_ip(request))
    act(access, payment_method)
    return _done(request, f"{page}?tab={saved_cards.TAB}")


@bp.route("/portal/{token}/pre-payment", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def prepay(token: str) -> Any:
    request, access, page = _portal(token)
    limit_pay_clicks(request, access)
    data = form_or_json(bp, PrepaymentInput)
    return _done(request, prepayments.start(access, data, page, absolute_url(request, "")))


@bp.route("/portal/{token}/pre-payment-plans/{plan_id}/stop", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def stop_plan(token: str, plan_id: str) -> Any:
    """The client stops a repeating pre-payment for good; back to the tab."""
    request, access, page = _portal(token, {"plan_id": plan_id})
    plan_controls.client_stop(access, plan_id)
    return _done(request, f"{page}?tab={prepayments.TAB}")


@bp.route("/portal/{token}/pre-payment-plans/{plan_id}/resume", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def resume_plan(token: str, plan_id: str) -> Any:
    """The client resumes a paused repeating pre-payment (from its next date); back to the tab."""
    request, access, page = _portal(token, {"plan_id": plan_id})
    saved_cards.limit(access, client_ip(request))  # it asks Stripe for the client's cards
    prepayments.open_tab(access)
    plan_controls.resume(access, plan_id)
    return _done(request, f"{page}?tab={prepayments.TAB}")


@bp.route("/portal/{token}/invoices/{doc_id}/use-credit", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def use_credit(token: str, doc_id: str) -> Any:
    """Apply the client's credit to this invoice (as much as covers its balance)."""
    request, access, page = _portal(token, {"doc_id": doc_id})
    limit_pay_clicks(request, access)
    invoice = portal.payable_document(access, doc_id)
    credits.apply_to_invoice(invoice, None, clock.today(), f"client contact {access.contact_id}")
    return _done(request, f"{page}/invoices/{doc_id}")


def _checkout_base() -> str:
    return checkout.offline_checkout_base(absolute_url(bp.current_request, ""))


@bp.route("/checkout/offline-cards/{session_id}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def offline_cards_page(session_id: str) -> Any:
    found = offline_cards.open_session(session_id)
    back = found.setup.return_url if found.setup else (found.prepayment.return_url if found.prepayment else "")
    amount = (money(int(found.prepayment.amount), found.prepayment.currency, locale_of(found.business))
              if found.prepayment else None)
    return render("offline_cards.html", form_action=f"'self' {origin_of(back or absolute_url(bp.current_request, ''))}",
                  business_name=found.business.name, amount=amount, cards=offline_cards.TEST_CARDS,
                  repeating=bool(found.prepayment and found.prepayment.plan_id), back_url=back,
                  action=f"{_checkout_base()}/checkout/offline-cards/{session_id}")


@bp.route("/checkout/offline-cards/{session_id}", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def offline_cards_finish(session_id: str) -> Any:
    request = bp.current_request
    check_same_origin(request, origin_of(_checkout_base()))
    offline_cards.open_session(session_id)  # an unknown session is a 404 before its form is read
    card = form_or_json(bp, TestCardChoice).card
    return see_other(offline_cards.finish(session_id, card, absolute_url(request, "/webhooks/stripe")))
