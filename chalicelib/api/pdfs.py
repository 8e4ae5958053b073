"""PDF downloads: invoices and quotes from a share link, the portal and the staff API, and a
client's statement. Client routes answer 302 to a presigned S3 GET (with the client
headers); staff routes answer `{"url": …}`.

The PDF services are imported inside the views: `import app` (every page's cold start) pays
for this blueprint's routes only, not for reportlab or the statement code."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import clock
from chalicelib.api.html import client_headers, page_errors
from chalicelib.api.http import ANY_CONTENT_TYPE, check_path_ids, json_response, new_nonce, staff_route
from chalicelib.api.portal_access import open_portal
from chalicelib.domain import invoices as rules
from chalicelib.domain.permissions import VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts.businesses import business_of
from chalicelib.services.billing import documents
from chalicelib.services.portal import portal
from chalicelib.services.portal.share_page import open_share_link

bp = Blueprint(__name__)
KINDS = {"invoices": rules.INVOICE, "quotes": rules.QUOTE}


def _errors() -> Any:
    return page_errors(lambda: bp.current_request.headers)


def _redirect(url: str) -> Response:
    headers = client_headers(new_nonce())
    headers["Location"] = url
    return Response(body="", status_code=302, headers=headers)


@bp.route("/invoice/{token}/pdf", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def share_link_pdf(token: str) -> Any:
    """The invoice behind a share link (unknown, revoked and draft links: the page's 404)."""
    from chalicelib.services.billing import pdfs

    business, document, stored = open_share_link(token)
    return _redirect(pdfs.document_pdf(business, document, list(stored), clock.today()).url)


def _portal_pdf(token: str, kind: str, doc_id: str) -> Any:
    """A document of the portal's client: the same rules as the portal's document page."""
    from chalicelib.services.billing import pdfs

    check_path_ids({"doc_id": doc_id})
    access = open_portal(bp.current_request, token)
    business, document, stored = portal.open_document(access, KINDS[kind], doc_id)
    return _redirect(pdfs.document_pdf(business, document, stored, clock.today()).url)


# Two static routes rather than `/portal/{token}/{kind}/{doc_id}/pdf`: a `{kind}` segment would sit
# beside the static `quotes/{doc_id}/{decision}` route, which Chalice's local router (first path
# match wins, whatever the method) and API Gateway's resource tree both prefer.
@bp.route("/portal/{token}/invoices/{doc_id}/pdf", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_invoice_pdf(token: str, doc_id: str) -> Any:
    return _portal_pdf(token, "invoices", doc_id)


@bp.route("/portal/{token}/quotes/{doc_id}/pdf", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_quote_pdf(token: str, doc_id: str) -> Any:
    return _portal_pdf(token, "quotes", doc_id)


@bp.route("/portal/{token}/statement", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def portal_statement(token: str) -> Any:
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD`: the portal client's statement (400 for a bad range)."""
    from chalicelib.services.billing import statements

    params: Any = bp.current_request.query_params or {}
    access = open_portal(bp.current_request, token)
    business = portal.business_for(access)
    made = statements.statement(business, access.client_id, params.get("from"), params.get("to"),
                                clock.today(business.time_zone))
    return _redirect(made.pdf.url)


def _staff_document_pdf(principal: Principal, kind: str, doc_id: str) -> Any:
    from chalicelib.services.billing import pdfs

    document, stored = documents.document_and_items(principal, kind, doc_id)
    delivery = pdfs.document_pdf(business_of(principal), document, stored, clock.today())
    return json_response({"url": delivery.url})


@staff_route(bp, "/api/v1/invoices/{doc_id}/pdf", VIEW)
def invoice_pdf(principal: Principal, doc_id: str) -> Any:
    return _staff_document_pdf(principal, rules.INVOICE, doc_id)


@staff_route(bp, "/api/v1/quotes/{doc_id}/pdf", VIEW)
def quote_pdf(principal: Principal, doc_id: str) -> Any:
    return _staff_document_pdf(principal, rules.QUOTE, doc_id)


@staff_route(bp, "/api/v1/clients/{client_id}/statement", VIEW)
def client_statement(principal: Principal, client_id: str) -> Any:
    """`?from=&to=`: the client's statement, `{"url", "closing", …}` (the figures it prints)."""
    from chalicelib.services.billing import statements

    params: Any = bp.current_request.query_params or {}
    business = business_of(principal)
    made = statements.statement(business, client_id, params.get("from"), params.get("to"), clock.today(business.time_zone))
    return json_response({"url": made.pdf.url, **statements.present(made.period)})
