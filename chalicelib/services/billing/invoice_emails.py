"""Emailing invoices to the client's contacts: the invoice itself, and payment reminders."""
from __future__ import annotations

from datetime import date

from chalicelib.config import settings
from chalicelib.domain import invoices as rules
from chalicelib.domain import reminders
from chalicelib.domain.errors import Conflict
from chalicelib.domain.figures import rows as figure_rows
from chalicelib.domain.money import format_amount
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts.businesses import business_of
from chalicelib.services.billing import documents
from chalicelib.services.billing import share_link as sharing
from chalicelib.services.notifications.notifications import Outcome, send_to_client
from chalicelib.store.documents import Document


def _link(token: str) -> str:
    # `src=email` makes the open count as coming from an email in the view log.
    return f"{settings().public_base_url}{sharing.share_path(token)}?src=email"


def invoice_email_text(business_name: str, document: Document, link: str) -> str:
    """The invoice email's body: the totals block in the page's rows (domain/figures.py), so
    what the email says adds up to what the page and the PDF say."""
    currency = document.currency
    f = document.figures()
    due = f", due {document.due_date}" if document.due_date else ""
    printed = [(r.label, ("−" if r.sign == "-" else "") + format_amount(r.amount, currency)) for r in figure_rows(f)]
    width = max(len(label) for label, _ in printed)
    block = "\n".join(f"  {label.ljust(width)}  {amount}" for label, amount in printed)
    return (f"Hello,\n\n{business_name} sent you invoice {document.number} for "
            f"{format_amount(f.total, currency)}{due}.\n\n{block}\n\n"
            f"View it, pay it and get any files that come with it:\n{link}")


def email_invoice(principal: Principal, doc_id: str) -> Outcome:
    """Send the invoice (a draft is marked sent first) with its link to the client's contacts."""
    document = documents.get_document(principal, rules.INVOICE, doc_id)
    if document.status == rules.DRAFT:
        document = documents.mark_sent(principal, rules.INVOICE, doc_id)
    business = business_of(principal)
    token = sharing.share_invoice(principal, doc_id)
    text = invoice_email_text(business.name, document, _link(token))
    return send_to_client(principal.business_id, document.client_id, "documents",
                          f"Invoice {document.number} from {business.name}", text)


def send_reminder(principal: Principal, doc_id: str, today: date) -> Outcome:
    """A friendly reminder of what is still owed (sent and part-paid invoices only)."""
    document = documents.get_document(principal, rules.INVOICE, doc_id)
    if document.status not in rules.OPEN_STATUSES:
        raise Conflict("Only unpaid invoices get reminders.")
    business = business_of(principal)
    return send_reminder_email(business.name, document, today, None)


def send_reminder_email(business_name: str, document: Document, today: date, step: str | None) -> Outcome:
    """Email the reminder of an open invoice to the client's contacts who want reminders (staff's
    "remind" button, or the scheduler's `step`: before due, on due, after)."""
    link = _link(sharing.share_token_of(document))
    due = date.fromisoformat(document.due_date) if document.due_date else None
    when = f"; it {reminders.when_words(due, today)}" if due else ""
    text = (f"Hello,\n\nA reminder that invoice {document.number} from {business_name} has "
            f"{format_amount(document.figures().balance, document.currency)} still to pay{when}.\n\n"
            f"Pay it here:\n{link}")
    subject = reminders.subject(step or reminders.BEFORE, document.number, business_name)
    return send_to_client(document.business_id, document.client_id, "reminders", subject, text)
