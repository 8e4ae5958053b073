"""Staff: make a recurring template from an invoice, list, read, edit, pause, resume and stop it.

A template copies the invoice as it is now (client, lines, currency, notes, terms, part-payment
terms) and the files attached to it (resource and policy: each issued invoice gets its own
attachment, so a monthly `after_payment` file unlocks with that month's payment). Internal notes
and claim links are not repeated: the first is never shown to the client, the second is one
person's single-use link.
"""
from __future__ import annotations

from datetime import date, timedelta

from chalicelib import clock
from chalicelib.domain import access
from chalicelib.domain import invoices as invoice_rules
from chalicelib.domain import recurrence as rules
from chalicelib.domain.errors import Conflict, NotFound, ValidationError
from chalicelib.domain.principal import Principal
from chalicelib.domain.recurring_inputs import RecurringInput, RecurringUpdate
from chalicelib.domain.tokens import new_id
from chalicelib.services.accounts.businesses import business_of
from chalicelib.services.billing.documents import get_document
from chalicelib.services.recurring.timing import local_today, refresh_agenda, schedule_of
from chalicelib.store import recurring as store
from chalicelib.store.attachments import attachments_of_target
from chalicelib.store.documents import Document, content_of
from chalicelib.store.recurring import Period, Template, TemplateFile
from chalicelib.store.table import conditional, iso

COPIED_POLICIES = (access.VISIBLE, access.AFTER_PAYMENT, access.MANUAL)
# How far from today a schedule may start: a year back (caught up at most MAX_PER_RUN a run),
# five years ahead.
EARLIEST_START, LATEST_START = timedelta(days=366), timedelta(days=5 * 366)
SCHEDULE_FIELDS = ("frequency", "start_date")


def _files_of(business_id: str, invoice_id: str) -> list[TemplateFile]:
    found = sorted(attachments_of_target(business_id, invoice_rules.INVOICE, invoice_id), key=lambda a: a.created_at)
    return [TemplateFile(resource_id=a.resource_id, policy=a.policy, download_limit=a.download_limit,
                         access_days=a.access_days, refund_rule=a.refund_rule)
            for a in found if a.policy in COPIED_POLICIES]


def _check(template: Template, today: date) -> None:
    schedule = schedule_of(template)
    rules.check_schedule(schedule)
    if not today - EARLIEST_START <= schedule.start <= today + LATEST_START:
        raise ValidationError("The start date must be within a year before today and five years after.",
                              field="start_date")


def create_from_invoice(principal: Principal, data: RecurringInput) -> Template:
    """A new active template repeating the invoice `data.invoice_id` on `data`'s schedule."""
    invoice: Document = get_document(principal, invoice_rules.INVOICE, data.invoice_id)
    if not invoice.lines:
        raise ValidationError("Add lines to the invoice before making it recurring.", field="invoice_id")
    business = business_of(principal)
    now = iso(clock.now())
    template = store.new_template(
        principal.business_id, new_id(), invoice.client_id, now, source_invoice_id=invoice.doc_id,
        **content_of(invoice), allow_partial=bool(invoice.allow_partial),
        minimum_partial=int(invoice.minimum_partial or 0), files=_files_of(principal.business_id, invoice.doc_id),
        frequency=data.frequency, start_date=data.start_date.isoformat(), end=data.end,
        end_after=data.end_after if data.end == rules.AFTER else None,
        end_date=data.end_date.isoformat() if data.end == rules.ON_DATE and data.end_date else None,
        auto_send=data.auto_send, auto_charge=data.auto_charge, catch_up=data.catch_up, status=rules.ACTIVE,
        next_index=0,
    )
    _check(template, local_today(business, clock.now()))
    refresh_agenda(template, business)
    conditional(lambda: template.save(condition=Template.pk.does_not_exist()), "Try again.")
    return template


def get_template(principal: Principal, template_id: str) -> Template:
    template = store.get_template(principal.business_id, template_id)
    if template is None:
        raise NotFound("Recurring invoice not found.")
    return template


def with_periods(principal: Principal, template_id: str) -> tuple[Template, list[Period]]:
    """The template and the periods it issued (with their invoices' ids and numbers), in one Query."""
    template, periods = store.load_template(principal.business_id, template_id)
    if template is None:
        raise NotFound("Recurring invoice not found.")
    return template, periods


def list_templates(principal: Principal, limit: int, cursor: str | None) -> tuple[list[Template], str | None]:
    return store.list_templates(principal.business_id, limit, cursor)


def update(principal: Principal, template_id: str, data: RecurringUpdate) -> Template:
    """Change the end, sending, charging or catch-up; the frequency and start only before the first invoice."""
    template = get_template(principal, template_id)
    changes = data.given()
    if template.status in (rules.STOPPED, rules.FINISHED):
        raise Conflict("This recurring invoice has ended; make a new one.")
    if any(name in changes for name in SCHEDULE_FIELDS) and int(template.next_index) > 0:
        raise Conflict("The frequency and start date cannot change once an invoice was issued; "
                       "stop this one and make a new one.", field=next(n for n in SCHEDULE_FIELDS if n in changes))
    for name, value in changes.items():
        setattr(template, name, value.isoformat() if isinstance(value, date) else value)
    if template.end != rules.AFTER:
        template.end_after = None
    if template.end != rules.ON_DATE:
        template.end_date = None
    business = business_of(principal)
    today = local_today(business, clock.now())
    rules.check_schedule(schedule_of(template))
    if "start_date" in changes:
        _check(template, today)
    refresh_agenda(template, business)
    return _save(template)


def _save(template: Template) -> Template:
    template.updated_at = iso(clock.now())
    # VersionAttribute: conditional on nobody (staff or the scheduler) having saved in between.
    conditional(template.save, "This recurring invoice changed at the same time; reload and retry.")
    return template


def pause(principal: Principal, template_id: str) -> Template:
    template = get_template(principal, template_id)
    if template.status != rules.ACTIVE:
        raise Conflict(f"Only an active recurring invoice can be paused (this one is {template.status}).")
    template.status = rules.PAUSED
    return _save(template)


def resume(principal: Principal, template_id: str) -> Template:
    """Active again from the next period dated today or later: periods while paused are not billed."""
    template = get_template(principal, template_id)
    if template.status != rules.PAUSED:
        raise Conflict(f"Only a paused recurring invoice can be resumed (this one is {template.status}).")
    business = business_of(principal)
    template.status, paused_at = rules.ACTIVE, int(template.next_index)
    template.next_index = rules.resume_index(schedule_of(template), paused_at, local_today(business, clock.now()))
    # the periods not billed do not count toward an end after N cycles: the paused template's remaining stay
    template.passed_over = int(template.passed_over or 0) + int(template.next_index) - paused_at
    refresh_agenda(template, business)
    return _save(template)


def stop(principal: Principal, template_id: str) -> Template:
    """No more invoices from this template (those it issued stay as they are)."""
    template = get_template(principal, template_id)
    if template.status in (rules.STOPPED, rules.FINISHED):
        raise Conflict(f"This recurring invoice has {'been stopped' if template.status == rules.STOPPED else 'ended'}.")
    template.status, template.due_at = rules.STOPPED, None
    return _save(template)


def summary(template: Template) -> dict[str, object]:
    """What a list shows of a template, in the schedule's words (staff and portal)."""
    schedule = schedule_of(template)
    live = template.status in (rules.ACTIVE, rules.PAUSED)
    # paused: no date is promised (the periods that fall meanwhile are not billed; resume says when)
    upcoming = rules.next_date(schedule, int(template.next_index)) if template.status == rules.ACTIVE else None
    return {
        "frequency": template.frequency, "frequency_words": rules.FREQUENCY_WORDS.get(str(template.frequency)),
        "start_date": template.start_date, "next_date": upcoming.isoformat() if upcoming else None,
        "cycles_remaining": rules.cycles_remaining(schedule, int(template.next_index)) if live else 0,
        "status": template.status,
    }
