"""Payment reminders on a schedule, by each business's settings (before due, on due, after).

The scheduler calls `send_due_reminders` every hour. It finds open invoices with a query per
due date in the window any setting can reach (gsi3 `DUE#{date}`, store/agenda.py), re-reads
them, asks `domain/reminders.step_due` which step (if any) is due today, and then:

1. claims the step with a conditional put of `REMINDER#{due date}#{step}` in the invoice's
   collection — a retried or concurrent tick finds it taken and sends nothing;
2. emails the client's contacts who still want reminders (`notifications.email_client`;
   suppressed addresses are dropped by the mail path).

If the email cannot be queued, the claim is released so the next tick tries again. An
invoice with no contact keeps its claim: there is no one to send it to.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from chalicelib import clock
from chalicelib.domain import invoices as rules
from chalicelib.domain import reminders as rules_of_reminders
from chalicelib.domain.errors import NotFound, Unavailable
from chalicelib.services.billing.invoice_emails import send_reminder_email
from chalicelib.services.notifications.notifications import PartlyQueued
from chalicelib.store import agenda
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.documents import Document, get_document, reminder_sk
from chalicelib.store.table import iso

log = logging.getLogger("paydrop.reminders")


@dataclass
class ReminderRun:
    """What one run did, per outcome: `sent`, `already` (another run sent it), `settled` (paid,
    cancelled or moved since the run read it), `no_contact`, `failed` (to be retried),
    `partial` (queued to some contacts before the queue refused: not retried, so nobody gets it
    twice), and how many contacts opted out."""

    checked: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    opted_out: int = 0

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1


def settings_of(business: Business) -> rules_of_reminders.ReminderSettings:
    before, after = business.reminder_days_before, business.reminder_days_after
    return rules_of_reminders.ReminderSettings(
        days_before=int(before) if before is not None else None, on_due=bool(business.reminder_on_due),
        days_after=int(after) if after is not None else None)


def step_for(document: Document, business: Business | None, today: date) -> str | None:
    """The reminder step due today for this invoice as stored now, or None."""
    if business is None or document.status not in rules.OPEN_STATUSES or not document.due_date:
        return None
    sent_on = (document.sent_at or document.issue_date)[:10]
    return rules_of_reminders.step_due(settings_of(business), date.fromisoformat(document.due_date),
                                       date.fromisoformat(sent_on), today)


def send_due_reminders(today: date | None = None) -> ReminderRun:
    """Send every reminder step due today, each at most once per invoice and due date."""
    today = today or clock.today()
    keys = [key for day in rules_of_reminders.due_dates_to_check(today) for key in agenda.invoices_due_on(day)]
    businesses: dict[str, Business | None] = {}
    run = ReminderRun()
    due: list[tuple[Document, Business, str]] = []
    for document in agenda.invoices(keys):
        run.checked += 1
        if document.business_id not in businesses:
            businesses[document.business_id] = get_business(document.business_id)
        business = businesses[document.business_id]
        step = step_for(document, business, today)
        if step is not None and business is not None:
            due.append((document, business, step))
    sent = agenda.reminders_sent_among([(d, step) for d, _, step in due])  # reads first; the claim still decides
    for document, business, step in due:
        if (document.pk, reminder_sk(str(document.due_date), step)) in sent:
            run.add("already")
            continue
        run.add(_remind(document, business, step, today, run))
    return run


def _remind(document: Document, business: Business, step: str, today: date, run: ReminderRun) -> str:
    if not agenda.claim_reminder(document, step, iso(clock.now())):
        return "already"
    fresh = get_document(document.business_id, document.doc_id)  # paid or cancelled since the run read it?
    if fresh is None or fresh.status not in rules.OPEN_STATUSES or fresh.due_date != document.due_date:
        return "settled"
    document = fresh
    try:
        outcome = send_reminder_email(business, document, today, step)
    except NotFound:
        log.info("reminder %s of %s: the client has no contact", step, document.doc_id)
        return "no_contact"
    except PartlyQueued as e:
        # At most once per step: the contacts already queued must not get it twice, so the claim
        # stays and the others miss this step (the next step, or staff's Remind, reaches them).
        log.error("reminder %s of %s reached %d contact(s) before the mail queue refused; not retried",
                  step, document.doc_id, len(e.queued_to))
        return "partial"
    except Unavailable:
        agenda.release_reminder(document, step)
        log.warning("reminder %s of %s could not be queued; the next run retries", step, document.doc_id)
        return "failed"
    run.opted_out += len(outcome.skipped)
    log.info("reminder %s of %s: %d sent, %d opted out", step, document.doc_id, len(outcome.sent_to),
             len(outcome.skipped))
    return "sent"
