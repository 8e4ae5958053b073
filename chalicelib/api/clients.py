"""Clients and their contacts."""
from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint

from chalicelib import clock
from chalicelib.api import present
from chalicelib.api.http import body, json_response, listed, staff_route
from chalicelib.api.urls import absolute_url
from chalicelib.domain.inputs import ClientInput, ClientUpdate, ContactInput, ContactUpdate, CreditApply, CreditInput
from chalicelib.domain.permissions import MANAGE_CLIENTS, MANAGE_INVOICES, VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts import clients
from chalicelib.services.billing import credits
from chalicelib.services.delivery import grants as delivery
from chalicelib.services.notifications import suppressions
from chalicelib.services.portal import portal, portal_links

bp = Blueprint(__name__)


@staff_route(bp, "/api/v1/clients", VIEW)
def list_clients(principal: Principal) -> Any:
    return listed(bp.current_request, partial(clients.list_clients, principal), present.client)


@staff_route(bp, "/api/v1/clients", MANAGE_CLIENTS, methods=["POST"])
def create_client(principal: Principal) -> Any:
    client, contacts = clients.create_client(principal, body(bp, ClientInput))
    return json_response(present.client(client, contacts, suppressions.of_contacts(contacts)), 201)


@staff_route(bp, "/api/v1/clients/{client_id}", VIEW)
def get_client(principal: Principal, client_id: str) -> Any:
    client = clients.get_client(principal, client_id)
    contacts = clients.contacts_of(principal, client_id)
    return json_response(present.client(client, contacts, suppressions.of_contacts(contacts)))


@staff_route(bp, "/api/v1/clients/{client_id}", MANAGE_CLIENTS, methods=["PATCH"])
def update_client(principal: Principal, client_id: str) -> Any:
    client = clients.update_client(principal, client_id, body(bp, ClientUpdate))
    contacts = clients.contacts_of(principal, client_id)
    return json_response(present.client(client, contacts, suppressions.of_contacts(contacts)))


@staff_route(bp, "/api/v1/clients/{client_id}/contacts", MANAGE_CLIENTS, methods=["POST"])
def add_contact(principal: Principal, client_id: str) -> Any:
    contact = clients.add_contact(principal, client_id, body(bp, ContactInput))
    return json_response(present.contact(contact, suppressions.of_contacts([contact])), 201)


@staff_route(bp, "/api/v1/clients/{client_id}/contacts/{contact_id}", MANAGE_CLIENTS, methods=["PATCH"])
def update_contact(principal: Principal, client_id: str, contact_id: str) -> Any:
    contact = clients.update_contact(principal, client_id, contact_id, body(bp, ContactUpdate))
    return json_response(present.contact(contact, suppressions.of_contacts([contact])))


@staff_route(bp, "/api/v1/clients/{client_id}/contacts/{contact_id}/suppression", MANAGE_CLIENTS, methods=["DELETE"])
def clear_suppression(principal: Principal, client_id: str, contact_id: str) -> Any:
    """Email this contact's address again (it bounced or complained; the client fixed their mailbox)."""
    contact = suppressions.clear_for_contact(principal, client_id, contact_id)
    return json_response(present.contact(contact, {}))


@staff_route(bp, "/api/v1/clients/{client_id}/contacts/{contact_id}", MANAGE_CLIENTS, methods=["DELETE"])
def remove_contact(principal: Principal, client_id: str, contact_id: str) -> Any:
    clients.remove_contact(principal, client_id, contact_id)
    return json_response({"deleted": True})


@staff_route(bp, "/api/v1/clients/{client_id}/grants", VIEW)
def list_grants(principal: Principal, client_id: str) -> Any:
    """Everything this client can (or could) access, through any attachment."""
    grants = delivery.client_grants(principal, client_id)
    return json_response({"items": [present.grant(g, bp.current_request) for g in grants]})


@staff_route(bp, "/api/v1/clients/{client_id}/contacts/{contact_id}/portal", MANAGE_CLIENTS, methods=["POST"])
def portal_link(principal: Principal, client_id: str, contact_id: str) -> Any:
    """The contact's portal link (created once; the same link on every call until revoked)."""
    token = portal.portal_link(principal, client_id, contact_id)
    return json_response({"url": absolute_url(bp.current_request, portal.portal_path(token))})


@staff_route(bp, "/api/v1/clients/{client_id}/contacts/{contact_id}/portal", MANAGE_CLIENTS, methods=["DELETE"])
def revoke_portal_link(principal: Principal, client_id: str, contact_id: str) -> Any:
    portal.revoke_portal_link(principal, client_id, contact_id)
    return json_response({"revoked": True})


@staff_route(bp, "/api/v1/clients/{client_id}/credits", VIEW)
def list_credits(principal: Principal, client_id: str) -> Any:
    """The client's credit notes, applications to invoices, and available balance per currency."""
    notes, applications, balances = credits.credits_of(principal, client_id)
    return json_response({"credit_notes": [present.credit_note(c) for c in notes],
                          "applications": [present.credit_application(a) for a in applications],
                          "available": balances})


@staff_route(bp, "/api/v1/clients/{client_id}/credits", MANAGE_INVOICES, methods=["POST"])
def issue_credit(principal: Principal, client_id: str) -> Any:
    note = credits.issue_credit(principal, client_id, body(bp, CreditInput), clock.today())
    return json_response(present.credit_note(note), 201)


@staff_route(bp, "/api/v1/clients/{client_id}/credits/apply", MANAGE_INVOICES, methods=["POST"])
def apply_credit(principal: Principal, client_id: str) -> Any:
    invoice = credits.apply_credit(principal, client_id, body(bp, CreditApply), clock.today())
    return json_response({"invoice_id": invoice.doc_id, "status": invoice.status, "balance": invoice.balance})


@staff_route(bp, "/api/v1/clients/{client_id}/contacts/{contact_id}/portal/regenerate", MANAGE_CLIENTS, methods=["POST"])
def regenerate_portal_link(principal: Principal, client_id: str, contact_id: str) -> Any:
    """A new portal link for the contact; the old one stops working at once (one transaction)."""
    token = portal_links.regenerate_portal_link(principal, client_id, contact_id)
    return json_response({"url": absolute_url(bp.current_request, portal.portal_path(token))})
