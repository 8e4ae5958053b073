"""`GET /api/v1/limits`: every staff input shape's limits, and which shape each route takes,
so the dashboard checks exactly what the server enforces before sending (one source:
`domain/inputs.py`, read by `domain/limits.py`)."""
from __future__ import annotations

import functools
from typing import Any

from chalice import Blueprint

from chalicelib.api.http import json_response, staff_route
from chalicelib.domain import approvals_inputs, developer_inputs, inputs, messaging_inputs, project_inputs
from chalicelib.domain.buy_link_inputs import BuyLinkInput, BuyLinkUpdate
from chalicelib.domain.limits import spec_of
from chalicelib.domain.permissions import VIEW
from chalicelib.domain.principal import Principal
from chalicelib.domain.recurring_inputs import RecurringInput, RecurringUpdate

bp = Blueprint(__name__)

# The JSON body each staff route decodes (paths relative to /api/v1, as the dashboard calls them).
ROUTE_BODIES: dict[str, type] = {
    "POST /auth/login": inputs.LoginInput,
    "POST /auth/refresh": inputs.RefreshInput,
    "PATCH /business": inputs.BusinessUpdate,
    "POST /business/logo-upload": inputs.LogoUploadInput,
    "POST /clients": inputs.ClientInput,
    "PATCH /clients/{client_id}": inputs.ClientUpdate,
    "POST /clients/{client_id}/contacts": inputs.ContactInput,
    "PATCH /clients/{client_id}/contacts/{contact_id}": inputs.ContactUpdate,
    "POST /clients/{client_id}/credits": inputs.CreditInput,
    "POST /clients/{client_id}/credits/apply": inputs.CreditApply,
    "POST /products": inputs.ProductInput,
    "PATCH /products/{product_id}": inputs.ProductUpdate,
    "POST /projects": inputs.ProjectInput,
    "PATCH /projects/{project_id}": inputs.ProjectUpdate,
    "POST /projects/{project_id}/milestones": project_inputs.MilestoneInput,
    "PUT /projects/{project_id}/milestones": project_inputs.MilestoneOrder,
    "PATCH /projects/{project_id}/milestones/{milestone_id}": project_inputs.MilestoneUpdate,
    "POST /invoices": inputs.DocumentInput,
    "PATCH /invoices/{doc_id}": inputs.DocumentUpdate,
    "POST /quotes": inputs.DocumentInput,
    "PATCH /quotes/{doc_id}": inputs.DocumentUpdate,
    "POST /invoices/{doc_id}/payments": inputs.PaymentInput,
    "POST /invoices/{doc_id}/resources": inputs.AttachInput,
    "POST /resources": inputs.ResourceInput,
    "PATCH /resources/{resource_id}": inputs.ResourceUpdate,
    "POST /resources/{resource_id}/versions": inputs.FileSpec,
    "POST /resources/{resource_id}/upload/parts": inputs.PartsRequest,
    "POST /resources/{resource_id}/upload/complete": inputs.CompleteUpload,
    "POST /resources/{resource_id}/attachments": inputs.AttachmentInput,
    "POST /approvals": approvals_inputs.DeliverableInput,
    "POST /approvals/{deliverable_id}/comments": approvals_inputs.DeliverableCommentInput,
    "POST /approvals/{deliverable_id}/versions": inputs.FileSpec,
    "POST /clients/{client_id}/statement/email": inputs.StatementRange,
    "PUT /business/self-registration": inputs.SelfRegistrationSetting,
    "POST /recurring": RecurringInput,
    "PATCH /recurring/{recurring_id}": RecurringUpdate,
    "POST /conversations": messaging_inputs.ConversationStart,
    "POST /conversations/{conversation_id}/messages": messaging_inputs.StaffMessage,
    "POST /conversations/{conversation_id}/attachments": messaging_inputs.AttachmentSpec,
    "POST /buy-links": BuyLinkInput,
    "PATCH /buy-links/{link_id}": BuyLinkUpdate,
    "POST /webhook-endpoints": developer_inputs.EndpointInput,
    "PATCH /webhook-endpoints/{endpoint_id}": developer_inputs.EndpointUpdate,
    "POST /api-keys": developer_inputs.ApiKeyInput,
}


@functools.cache
def limits() -> dict[str, Any]:
    """Built once per container: the shapes do not change while it runs."""
    shapes = {shape.__name__: spec_of(shape) for shape in ROUTE_BODIES.values()}
    return {"shapes": shapes, "routes": {route: shape.__name__ for route, shape in ROUTE_BODIES.items()}}


@staff_route(bp, "/api/v1/limits", VIEW)
def get_limits(principal: Principal) -> Any:
    return json_response(limits(), headers={"Cache-Control": "private, max-age=300"})
