"""The portal's subscription pages: `/portal/{token}/subscriptions/{subscription_id}` and its
actions (cancel at period end, resume, change plan), also under `/portal/me/…`. The tab itself
renders in `api/portal.py`."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.client_sign_in import see_other
from chalicelib.api.html import brand, client_json, form_page, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, client_ip, form_or_json
from chalicelib.api.portal_access import open_portal_form, open_portal_tab
from chalicelib.api.urls import absolute_url
from chalicelib.domain.subscription_inputs import PlanChange
from chalicelib.services.portal import portal
from chalicelib.services.subscriptions import portal_views

bp = Blueprint(__name__)
NOTICES = {"changed": "Your subscription is updated.", "pending": "Your change is on its way; it shows here in a moment."}


def _errors() -> Any:
    # A refused decision leads back to the page it was made on.
    return page_errors(lambda: bp.current_request.headers, back=lambda: form_page(bp.current_request))


@bp.route("/portal/{token}/subscriptions/{subscription_id}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def subscription_page(token: str, subscription_id: str) -> Any:
    request = bp.current_request
    access, business = open_portal_tab(request, token, portal_views.TAB, {"subscription_id": subscription_id})
    view = portal_views.subscription_page(access, subscription_id)
    if wants_json(request.headers):
        return client_json(view)
    base = absolute_url(request, f"/portal/{token}")
    params: Any = request.query_params or {}
    notice = NOTICES.get(str(params.get("notice", "")))
    return render("portal_subscription_page.html", business=brand(business), view=view, base=base,
                  page=f"{base}/subscriptions/{subscription_id}", back_url=f"{base}?tab={portal_views.TAB}",
                  notice=notice, locale=portal.reader_locale(access))


def _act(token: str, subscription_id: str, action: str) -> Any:
    request = bp.current_request
    access = open_portal_form(request, token, {"subscription_id": subscription_id})
    portal.check_tab(portal.business_for(access), portal_views.TAB)
    price_id = form_or_json(bp, PlanChange).price_id if action == "plan" else None
    stored = portal_views.change(access, subscription_id, action, client_ip(request), price_id)
    next_url = absolute_url(request, f"/portal/{token}/subscriptions/{subscription_id}?notice="
                            + ("changed" if stored else "pending"))
    return client_json({"next": next_url, "stored": stored}) if wants_json(request.headers) else see_other(next_url)


@bp.route("/portal/{token}/subscriptions/{subscription_id}/cancel", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def cancel_subscription(token: str, subscription_id: str) -> Any:
    return _act(token, subscription_id, "cancel")


@bp.route("/portal/{token}/subscriptions/{subscription_id}/resume", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def resume_subscription(token: str, subscription_id: str) -> Any:
    return _act(token, subscription_id, "resume")


@bp.route("/portal/{token}/subscriptions/{subscription_id}/plan", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def change_plan(token: str, subscription_id: str) -> Any:
    return _act(token, subscription_id, "plan")
