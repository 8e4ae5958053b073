"""Statements by email: staff `POST /api/v1/clients/{client_id}/statement/email`, a contact's
`POST /portal/{token}/statement/email` ("email me this statement"), and the emailed link
`GET /statement/{token}` (302 to a presigned GET of the PDF, like the portal's statement form).

The statement code is imported inside the views that render: `import app` pays for none of reportlab."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import clock
from chalicelib.api.html import brand, client_headers, client_json, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, body, form_or_json, json_response, new_nonce, staff_route
from chalicelib.api.portal_access import open_portal_form
from chalicelib.api.urls import absolute_url
from chalicelib.domain.permissions import MANAGE_INVOICES
from chalicelib.domain.principal import Principal
from chalicelib.domain.self_service_inputs import StatementRange
from chalicelib.services.accounts.businesses import business_of
from chalicelib.services.billing import statement_emails
from chalicelib.services.portal import portal

bp = Blueprint(__name__)


def _errors() -> Any:
    return page_errors(lambda: bp.current_request.headers)


@bp.route("/statement/{token}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def emailed_statement(token: str) -> Any:
    from chalicelib.services.billing import statements

    link = statement_emails.open_link(token)
    made = statements.statement(link.business, link.client_id, link.start, link.end, clock.today(link.business.time_zone))
    headers = client_headers(new_nonce())
    headers["Location"] = made.pdf.url
    return Response(body="", status_code=302, headers=headers)


@bp.route("/portal/{token}/statement/email", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def email_my_statement(token: str) -> Any:
    request = bp.current_request
    access = open_portal_form(request, token)
    business = portal.business_for(access)
    period = form_or_json(bp, StatementRange) if request.raw_body else StatementRange()
    sent_to = statement_emails.email_to_contact(business, access.client_id, access.contact_id, period.start,
                                                period.end, clock.today(business.time_zone))
    if wants_json(request.headers):
        return client_json({"sent_to": sent_to}, 202)
    return render("self_service_message.html", status=202, business=brand(business), heading="Statement sent",
                  message=f"We emailed the statement to {sent_to}. Its link works for "
                          f"{statement_emails.LINK_DAYS} days.",
                  back_url=absolute_url(request, f"/portal/{token}?tab=payments"))


@staff_route(bp, "/api/v1/clients/{client_id}/statement/email", MANAGE_INVOICES, methods=["POST"])
def email_statement(principal: Principal, client_id: str) -> Any:
    """`{"from", "to"}` (both optional: this year so far) → `{"sent_to", "skipped"}`."""
    period = body(bp, StatementRange) if bp.current_request.raw_body else StatementRange()
    business = business_of(principal)
    outcome = statement_emails.email_to_client(business, client_id, period.start, period.end,
                                               clock.today(business.time_zone))
    return json_response({"sent_to": outcome.sent_to, "skipped": outcome.skipped})
