"""Issuing one period of a recurring template: exactly once, however runs overlap or die.

1. **Claim**: a conditional put of `PERIOD#{index}` (store/recurring.py). A second run finds it
   taken; it goes on only if the claim is unfinished and its lease ran out (the first run died).
2. **Invoice**: the invoice, the business's next number and the period's `issued` state are one
   transaction, so a number is never lost nor taken twice. Its id comes from (template, period):
   written once.
3. **Files**: each of the template's files is attached to this invoice under its policy, with ids
   from (template, period, file): a resumed run finds them there.
4. **Send** (when the template sends automatically): marked sent, then the invoice email, with
   `emailed_at` claimed on the period first, so a resumed run never emails twice.
5. **Done**.

Every step reads what the last one left, so a run that resumes a period finishes it.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta

from chalicelib.domain import invoices as invoice_rules
from chalicelib.domain import recurrence as rules
from chalicelib.domain.errors import Conflict, NotFound, Unavailable
from chalicelib.domain.permissions import ROLE_PERMISSIONS
from chalicelib.domain.principal import Principal
from chalicelib.services.billing import documents, invoice_emails
from chalicelib.services.delivery.file_notices import file_available
from chalicelib.services.delivery.unlock import file_token_item, new_grant_for
from chalicelib.services.recurring.timing import schedule_of
from chalicelib.store import documents as docs
from chalicelib.store import recurring as store
from chalicelib.store import tokens
from chalicelib.store.attachments import Attachment, get_attachment, new_attachment
from chalicelib.store.businesses import Business
from chalicelib.store.grants import Grant
from chalicelib.store.recurring import Period, Template, TemplateFile
from chalicelib.store.resources import READY, get_resource
from chalicelib.store.table import conditional, iso, transaction

log = logging.getLogger("paydrop.recurring")
# Longer than the scheduler's Lambda timeout (300 s): a live run never loses its lease.
LEASE = timedelta(minutes=10)
ACTOR = "recurring"


def _id(*parts: object) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:20]


def acting_for(business_id: str) -> Principal:
    """The scheduler acts for the business itself: the services it calls scope by this principal."""
    return Principal(user_id=ACTOR, email="", business_id=business_id, groups=("owner",),
                     permissions=ROLE_PERMISSIONS["owner"])


def claim(template: Template, index: int, now: datetime) -> Period | None:
    """The period to work on (claimed now, or resumed from a run that died); None when another
    run holds it or it is done."""
    issue_date = rules.period_date(schedule_of(template), index).isoformat()
    at, lease_until = iso(now), iso(now + LEASE)
    period = store.claim_period(template, index, issue_date, at, lease_until)
    if period is not None:
        return period
    existing = store.get_period(str(template.business_id), str(template.template_id), index)
    if existing is None or existing.state == store.DONE or not store.take_lease(existing, at, lease_until):
        return None
    log.info("resuming period %d of %s (was %s)", index, template.template_id, existing.state)
    return existing


def is_done(template: Template, index: int) -> bool:
    period = store.get_period(str(template.business_id), str(template.template_id), index)
    return period is not None and period.state == store.DONE


def complete(business: Business, template: Template, period: Period, now: datetime) -> docs.Document:
    """Take a claimed period through invoice, files and sending to done."""
    if period.state == store.CLAIMED:
        issued = store.issue_numbered(period, business.business_id, invoice_rules.INVOICE,
                                      lambda number: _invoice(business, template, period, number, now), iso(now))
        if issued is None:
            raise Conflict("Another run issued this period.")
    document = docs.get_document(business.business_id, str(period.doc_id))
    if document is None:
        raise NotFound("The period's invoice is missing.")
    for position, file in enumerate(template.files or []):
        _attach(template, document, int(period.index), position, file, now)
    if template.auto_send:
        document = _send(template, document, period, now)
    store.set_period(period, iso(now), state=store.DONE)
    log.info("recurring %s period %d: invoice %s", template.template_id, int(period.index), document.number)
    return document


def _invoice(business: Business, template: Template, period: Period, number: int, now: datetime) -> docs.Document:
    issue_date = date.fromisoformat(period.issue_date)
    due_date = issue_date + timedelta(days=int(business.payment_terms_days))
    at = iso(now)
    return docs.new_document(
        business.business_id, _id("recurring", template.template_id, int(period.index)), invoice_rules.INVOICE, at,
        number=invoice_rules.document_number(invoice_rules.INVOICE, number), status=invoice_rules.DRAFT,
        client_id=template.client_id, issue_date=issue_date.isoformat(), due_date=due_date.isoformat(),
        **docs.content_of(template), allow_partial=bool(template.allow_partial),
        minimum_partial=int(template.minimum_partial or 0),
        recurring_id=template.template_id, auto_charge=bool(template.auto_charge), updated_at=at,
    )


def _attach(template: Template, document: docs.Document, index: int, position: int, file: TemplateFile,
            now: datetime) -> None:
    """The file on this period's invoice, as staff attaching it would (ids fixed: once only)."""
    attachment_id = _id("recurring-file", template.template_id, index, position)
    if get_attachment(document.business_id, str(file.resource_id), attachment_id) is not None:
        return
    resource = get_resource(document.business_id, str(file.resource_id))
    if resource is None or resource.status != READY:
        log.warning("recurring %s: file %s is gone or not ready; not attached", template.template_id, file.resource_id)
        return
    attachment = new_attachment(
        document.business_id, resource.resource_id, attachment_id, invoice_rules.INVOICE, document.doc_id, iso(now),
        client_id=document.client_id, policy=file.policy, download_limit=file.download_limit,
        access_days=file.access_days, refund_rule=file.refund_rule)
    grant = new_grant_for(attachment, resource, document.client_id, document, now, grant_id=attachment_id)
    try:
        with transaction() as tx:
            tx.save(attachment, condition=Attachment.pk.does_not_exist())
            tx.save(grant, condition=Grant.pk.does_not_exist())
            tx.save(file_token_item(grant), condition=tokens.Token.pk.does_not_exist())
    except Conflict:
        log.info("recurring %s: file %s already on %s", template.template_id, file.resource_id, document.doc_id)
        return
    file_available(grant)  # open at once (visible): the client is told, once per file


def _send(template: Template, document: docs.Document, period: Period, now: datetime) -> docs.Document:
    principal = acting_for(document.business_id)
    if document.status == invoice_rules.DRAFT:
        # Emailed just below (the invoice itself): the client's notification stays out of the digest.
        document = documents.mark_sent(principal, invoice_rules.INVOICE, document.doc_id, emailed=not period.emailed_at)
    if period.emailed_at:
        return document
    try:  # at most once: claimed before the email goes, released only if it could not be queued
        conditional(lambda: period.update(actions=[Period.emailed_at.set(iso(now))],
                                          condition=Period.emailed_at.does_not_exist()), "Emailed already.")
    except Conflict:
        return document
    try:
        invoice_emails.email_invoice(principal, document.doc_id)
    except NotFound:
        log.info("recurring %s: invoice %s has no contact to email", template.template_id, document.number)
    except Unavailable:
        period.update(actions=[Period.emailed_at.remove()])
        raise
    return document
