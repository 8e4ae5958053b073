"""Emailing invoices to the client's contacts: the invoice itself, and payment reminders
(templates `email/invoice.html` and `email/reminder.html`, rendered by email_render)."""
from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.figures import rows as figure_rows
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts.businesses import business_of
from chalicelib.services.billing import documents
from chalicelib.services.billing import share_link as sharing
from chalicelib.services.notifications.notifications import Outcome, email_client
from chalicelib.store.businesses import Business
from chalicelib.store.documents import Document


def _link(token: str) -> str:
    # `src=email` makes the open count as coming from an email in the view log.
    return f"{settings().public_base_url}{sharing.share_path(token)}?src=email"


def invoice_email_data(document: Document, link: str) -> dict[str, Any]:
    """What the invoice email shows: the totals block in the page's rows (domain/figures.py), so
    what the email says adds up to what the page and the PDF say."""
    printed = figure_rows(document.figures())
    # A tax row's rate travels as data: the template labels it in the email's locale (tax_label).
    rows = [{"label": r.label, "sign": r.sign, "amount": r.amount, "rate_bp": r.rate_bp} for r in printed]
    return {"number": document.number, "total": int(document.figures().total), "currency": document.currency,
            "due_date": document.due_date, "rows": rows, "label_width": max(len(r.label) for r in printed),
            "url": link}


def email_invoice(principal: Principal, doc_id: str) -> Outcome:
    """Send the invoice (a draft is marked sent first) with its link to the client's contacts."""
    document = documents.get_document(principal, rules.INVOICE, doc_id)
    if document.status == rules.DRAFT:
        document = documents.mark_sent(principal, rules.INVOICE, doc_id, emailed=True)  # emailed below
    business = business_of(principal)
    token = sharing.share_invoice(principal, doc_id)
    return email_client(business, document.client_id, "documents", "invoice",
                        invoice_email_data(document, _link(token)))


def send_reminder(principal: Principal, doc_id: str, today: date) -> Outcome:
    """A friendly reminder of what is still owed (sent and part-paid invoices only)."""
    document = documents.get_document(principal, rules.INVOICE, doc_id)
    if document.status not in rules.OPEN_STATUSES:
        raise Conflict("Only unpaid invoices get reminders.")
    return send_reminder_email(business_of(principal), document, today, None)


def reminder_email_data(document: Document, today: date, step: str | None, link: str) -> dict[str, Any]:
    due = date.fromisoformat(document.due_date) if document.due_date else None
    return {"number": document.number, "balance": int(document.figures().balance), "currency": document.currency,
            "due_date": document.due_date, "days_left": (due - today).days if due else None, "step": step,
            "url": link}


def send_reminder_email(business: Business, document: Document, today: date, step: str | None) -> Outcome:
    """Email the reminder of an open invoice to the client's contacts who want reminders (staff's
    "remind" button, or the scheduler's `step`: before due, on due, after)."""
    link = _link(sharing.share_token_of(document))
    return email_client(business, document.client_id, "reminders", "reminder",
                        reminder_email_data(document, today, step, link))
