"""The portal's "recurring" tab and page: a contact sees their own client's recurring invoices
(frequency, start, next date, invoices still to come, amount) and, opening one, the invoices it
produced. The tab is one Query on the client's list (gsi2); a page is one Query on the template's
collection plus one BatchGet of its invoices (to leave out drafts and show each one's status).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.domain import invoices as invoice_rules
from chalicelib.domain.errors import NotFound
from chalicelib.domain.money import format_amount
from chalicelib.services.portal.portal import PAGE, PortalAccess
from chalicelib.services.recurring.templates import summary
from chalicelib.store import recurring as store
from chalicelib.store.recurring import Template


def _shown(template: Template) -> dict[str, Any]:
    return {"id": template.template_id, **summary(template),
            "amount": {"amount": int(template.total), "currency": template.currency,
                       "display": format_amount(int(template.total), str(template.currency))}}


def recurring_tab(access: PortalAccess, cursor: str | None) -> dict[str, Any]:
    found, next_cursor = store.client_templates(access.business_id, access.client_id, PAGE, cursor)
    return {"items": [_shown(t) for t in found], "next_cursor": next_cursor}


def recurring_page(access: PortalAccess, template_id: str, today: date) -> dict[str, Any]:
    """One recurring invoice of this contact's client and the invoices it produced (404 for any other)."""
    template, periods = store.load_template(access.business_id, template_id)
    if template is None or template.client_id != access.client_id:
        raise NotFound("Not found.")
    found = store.documents_of(access.business_id, [str(p.doc_id) for p in periods if p.doc_id])
    invoices = []
    for period in reversed(periods):  # newest first
        document = found.get(str(period.doc_id))
        if document is None or document.status == invoice_rules.DRAFT or document.client_id != access.client_id:
            continue
        due = date.fromisoformat(document.due_date) if document.due_date else None
        invoices.append({"id": document.doc_id, "number": document.number, "issue_date": document.issue_date,
                         "status": invoice_rules.display_status(document.status, due, today),
                         "total": {"amount": int(document.total), "currency": document.currency,
                                   "display": format_amount(int(document.total), document.currency)}})
    return {"recurring": _shown(template), "invoices": invoices}
