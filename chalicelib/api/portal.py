"""`/portal/{token}`: a contact's portal (tabs: invoices, quotes, payments, files), and each
document in it; `/portal/me/…` is the same for a signed-in contact, without a link."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from chalicelib import clock
from chalicelib.api.client_sign_in import see_other
from chalicelib.api.html import (
    brand,
    client_json,
    form_page,
    page_errors,
    payment_notice,
    render,
    track_open,
    wants_json,
)
from chalicelib.api.http import ANY_CONTENT_TYPE, amounts_in, check_path_ids, form_or_json
from chalicelib.api.portal_access import limit_pay_clicks, open_portal, open_portal_form, open_portal_tab
from chalicelib.api.urls import absolute_url
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import NotFound
from chalicelib.domain.inputs import PayInput, QuoteApproval, QuoteDecline
from chalicelib.domain.statements import this_year
from chalicelib.services.billing import quotes
from chalicelib.services.messaging import conversation_for_portal
from chalicelib.services.payments import checkout, prepayments, saved_cards, stripe_gateway
from chalicelib.services.payments.payment_return import check_number, payment_return
from chalicelib.services.portal import portal
from chalicelib.services.portal.account import account_tab
from chalicelib.services.portal.client_files import files_of
from chalicelib.services.portal.document_sort import sort_of, sorted_documents_tab
from chalicelib.services.portal.invoice_files import files_by_invoice
from chalicelib.services.portal.page_locale import page_locale
from chalicelib.services.portal.share_page import public_view
from chalicelib.services.projects import client_projects
from chalicelib.services.recurring import portal_views as recurring_views
from chalicelib.services.subscriptions import portal_views as subscription_views

bp = Blueprint(__name__)
KINDS = {"invoices": rules.INVOICE, "quotes": rules.QUOTE}


def _errors() -> Any:
    # A refused form (Pay, approve, decline) leads back to the page it came from.
    return page_errors(lambda: bp.current_request.headers, back=lambda: form_page(bp.current_request))


def _access(token: str) -> portal.PortalAccess:
    return open_portal(bp.current_request, token)


@bp.route("/portal", methods=["GET"], content_types=ANY_CONTENT_TYPE)
def my_portal() -> Any:
    return see_other(f"/portal/{portal.SESSION}")


@bp.route("/portal/{token}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_page(token: str) -> Any:
    request = bp.current_request
    params: Any = request.query_params or {}
    access = _access(token)
    business = portal.business_for(access)
    track_open(request, access.business_id, None, access.client_id, default_source="portal")
    tab = params.get("tab", "invoices")
    if tab != "invoices":
        portal.check_tab(business, tab)
    view = TAB_VIEWS[tab](access, params, absolute_url(request, ""))
    if wants_json(request.headers):
        return client_json({"tab": tab, "tabs": portal.visible_tabs(business), **view})
    return render("portal.html", business=brand(business), tab=tab, tabs=portal.visible_tabs(business), view=view,
                  base=absolute_url(request, f"/portal/{token}"), **_reader(business, access),
                  # Only a signed-in visitor has sessions to end; a portal link is not a session.
                  sign_out_url=absolute_url(request, "/signout") if access.token is None else None,
                  can_pay=stripe_gateway.online_payment_available(bool(business.stripe_enabled)))


def _reader(business: Any, access: Any) -> dict[str, Any]:
    """Who reads the page: its locale (the client's, else the business's) and the name it greets."""
    return {"locale": page_locale(business, access.client_locale), "contact_name": access.contact_name}


def _documents_view(access: Any, tab: str, params: Any) -> dict[str, Any]:
    """The invoices or quotes tab: sorted when asked (`?sort=…&dir=…&page=…`,
    services/portal/document_sort.py); invoices list the files each one unlocks."""
    sort, direction, page = sort_of(params)
    view = (sorted_documents_tab(access, KINDS[tab], sort, direction, page, clock.today()) if sort
            else portal.documents_tab(access, KINDS[tab], params.get("cursor"), clock.today()))
    if tab == "invoices":
        view["files"] = files_by_invoice(access, [d["id"] for d in view["items"]])
    return view


def _files_tab(access: portal.PortalAccess, params: Any, base_url: str) -> dict[str, Any]:
    # Checked for this request in open_portal already: no session to check again.
    files = files_of(access.business_id, access.client_id, access.contact_id, None, params.get("tag"), params.get("q"),
                     base_url)
    if files is None:
        raise NotFound(portal.NOT_FOUND)
    return {"entries": [vars(e) for e in files.entries], "tags": files.tags}


def _payments_tab(access: portal.PortalAccess, params: Any) -> dict[str, Any]:
    view = portal.payments_tab(access, params.get("cursor"))
    business = access.business
    # The statement form's default: this year where the business is.
    start, end = this_year(clock.today(business.time_zone if business else None))
    return {**view, "statement": {"from": start.isoformat(), "to": end.isoformat()}}


# Each tab's view from (who looks, the query parameters, the site's base URL); `portal.TABS` names
# the tabs (a new one is a name there and a row here).
TabView = Callable[[portal.PortalAccess, Any, str], dict[str, Any]]
TAB_VIEWS: dict[str, TabView] = {
    "invoices": lambda access, params, _: _documents_view(access, "invoices", params),
    "quotes": lambda access, params, _: _documents_view(access, "quotes", params),
    "payments": lambda access, params, _: _payments_tab(access, params),
    "files": _files_tab,
    "account": lambda access, params, _: account_tab(access, params.get("notice")),
    saved_cards.TAB: lambda access, params, _: saved_cards.payment_methods_tab(access, params),
    prepayments.TAB: lambda access, params, _: prepayments.prepayment_tab(access, params),
    "recurring": lambda access, params, _: recurring_views.recurring_tab(access, params.get("cursor")),
    subscription_views.TAB: lambda access, params, _: subscription_views.subscriptions_tab(access, params.get("cursor")),
    "messages": lambda access, params, base_url: conversation_for_portal(access, None, params.get("cursor"), origin=base_url),
    "projects": lambda access, params, _: client_projects.projects_tab(access),
}


# Two fixed routes, not `/{kind}/`: API Gateway prefers a fixed path segment and never falls
# back to a variable sibling, so `/invoices/{doc_id}/pay` beside `/{kind}/{doc_id}` would
# leave GET `/invoices/{doc_id}` unrouted in the cloud.
@bp.route("/portal/{token}/invoices/{doc_id}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_invoice(token: str, doc_id: str) -> Any:
    return portal_document(token, "invoices", doc_id)


@bp.route("/portal/{token}/quotes/{doc_id}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_quote(token: str, doc_id: str) -> Any:
    return portal_document(token, "quotes", doc_id)


def portal_document(token: str, kind: str, doc_id: str) -> Any:
    check_path_ids({"doc_id": doc_id})
    request = bp.current_request
    access = _access(token)
    business, document, stored = portal.open_document(access, KINDS[kind], doc_id)
    track_open(request, access.business_id, doc_id, access.client_id, default_source="portal")
    view = public_view(business, document, stored, clock.today(), absolute_url(request, ""),
                       locale=page_locale(business, access.client_locale))
    if wants_json(request.headers):
        return client_json(view)
    base = absolute_url(request, f"/portal/{token}")
    deciding = kind == "quotes" and document.status == rules.SENT
    notice = payment_notice(request.query_params)
    returned = (payment_return(document, stored, f"{base}/{kind}/{doc_id}", check_number(request.query_params))
                if notice == "success" else None)
    return render("invoice.html", **view, label="Quote" if kind == "quotes" else "Invoice", files_sign_in_url=None,
                  pay_url=f"{base}/invoices/{doc_id}/pay", back_url=f"{base}?tab={kind}",
                  payment_notice=notice, payment_return=returned,
                  quote_url=f"{base}/quotes/{doc_id}" if deciding else None,
                  terms_required=bool(business.quote_requires_terms), pdf_url=f"{base}/{kind}/{doc_id}/pdf")


@bp.route("/portal/{token}/invoices/{doc_id}/pay", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_pay(token: str, doc_id: str) -> Any:
    request = bp.current_request
    access = open_portal_form(request, token, {"doc_id": doc_id})
    limit_pay_clicks(request, access)
    document = portal.payable_document(access, doc_id)
    with amounts_in(lambda: str(document.currency)):
        data = form_or_json(bp, PayInput) if request.raw_body else PayInput()
    page = absolute_url(request, f"/portal/{token}/invoices/{doc_id}")
    return see_other(checkout.start_payment_for(portal.business_for(access), document, data, page,
                                                absolute_url(request, ""), portal.reader_locale(access)))


@bp.route("/portal/{token}/quotes/{doc_id}/approve", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def approve_quote(token: str, doc_id: str) -> Any:
    return decide_quote(token, doc_id, "approve")


@bp.route("/portal/{token}/quotes/{doc_id}/decline", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def decline_quote(token: str, doc_id: str) -> Any:
    return decide_quote(token, doc_id, "decline")


def decide_quote(token: str, doc_id: str, decision: str) -> Any:
    """Approve (then, when it became an invoice, on to paying it) or decline a quote."""
    request = bp.current_request
    access = open_portal_form(request, token, {"doc_id": doc_id})
    portal.check_tab(portal.business_for(access), "quotes")
    if decision == "decline":
        decided = quotes.decline(access, doc_id, form_or_json(bp, QuoteDecline))
    else:
        decided = quotes.approve(access, doc_id, form_or_json(bp, QuoteApproval) if request.raw_body else QuoteApproval(),
                                 clock.today())
    next_page = (f"/portal/{token}/invoices/{decided.invoice.doc_id}" if decided.invoice
                 else f"/portal/{token}/quotes/{doc_id}")
    if wants_json(request.headers):
        return client_json({"status": decided.quote.status,
                            "invoice_id": decided.invoice.doc_id if decided.invoice else None,
                            "next": absolute_url(request, next_page)})
    return see_other(next_page)


@bp.route("/portal/{token}/recurring/{template_id}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_recurring(token: str, template_id: str) -> Any:
    """One recurring invoice of the contact's client, with the invoices it produced."""
    request = bp.current_request
    access, business = open_portal_tab(request, token, "recurring", {"template_id": template_id})
    view = recurring_views.recurring_page(access, template_id, clock.today())
    if wants_json(request.headers):
        return client_json(view)
    base = absolute_url(request, f"/portal/{token}")
    return render("portal_recurring_page.html", business=brand(business), view=view, base=base,
                  back_url=f"{base}?tab=recurring", locale=portal.reader_locale(access))
