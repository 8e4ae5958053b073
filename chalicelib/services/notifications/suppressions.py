"""Bounces and complaints: an address SES reports as undeliverable or complaining gets no more mail.

SES (configuration set) → SNS → SQS `mail-feedback` → `workers/mail_feedback.py` →
`record_feedback`. The mail worker asks `may_send` before every send (`mail.send`), so nothing
goes to a suppressed address whatever queued it — invoices, reminders, receipts, sign-in
links. Staff see it on the contact (`email_suppressed`, reason, since) and can clear it once
the client has fixed their mailbox; a new bounce suppresses it again.
"""
from __future__ import annotations

import logging
from typing import Any

from chalicelib import metrics
from chalicelib.domain import mail_feedback
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.principal import Principal
from chalicelib.store import suppressions as store
from chalicelib.store.clients import Contact, get_contact

log = logging.getLogger("paydrop.mail")


def record_feedback(ses_event: dict[str, Any]) -> list[str]:
    """Suppress what the SES event says to; returns the domains suppressed (for the log line).
    Raises ValueError for a malformed bounce or complaint (SQS retries, then the DLQ)."""
    found = mail_feedback.suppressions(ses_event)
    for s in found:
        store.record(s.email, s.reason, s.detail, s.reported_at, s.ses_message_id)
        metrics.count(metrics.EMAILS_BOUNCED)  # a hard bounce or a complaint (chalicelib/metrics.py)
        log.info("suppressed *@%s: %s", s.email.rpartition("@")[2], s.reason)
    return [s.email.rpartition("@")[2] for s in found]


def may_send(address: str) -> bool:
    """False (logged and counted on the suppression) if mail to `address` must be dropped."""
    if store.get(address) is None:
        return True
    store.count_dropped(address)
    log.warning("dropped mail to suppressed *@%s", address.rpartition("@")[2])
    return False


def of_contacts(contacts: list[Contact]) -> dict[str, store.Suppression]:
    """Suppressions of these contacts' addresses (one BatchGet), by lower-cased address."""
    return store.of_addresses(c.email for c in contacts)


def clear_for_contact(principal: Principal, client_id: str, contact_id: str) -> Contact:
    """Staff: mail this contact's address again (one of the caller's own contacts only)."""
    contact = get_contact(principal.business_id, client_id, contact_id)
    if contact is None:
        raise NotFound("Contact not found.", field="contact_id")
    suppressed = store.get(contact.email)
    if suppressed is None:
        raise NotFound("Emails to this address are not suppressed.", field="contact_id")
    if suppressed.reason == mail_feedback.COMPLAINT:
        # A suppression is per address, for every business (as SES's own list is). A bounce is a
        # fact about the mailbox, which its owner can fix; a complaint is the person's wish,
        # possibly about another business's mail, and no business may overrule it.
        raise Conflict("This person marked an email as spam, so no email is sent to this address again. "
                       "Ask the client for another address.", field="contact_id")
    store.clear(contact.email)
    log.info("suppression of *@%s cleared by staff %s", contact.email.rpartition("@")[2], principal.user_id)
    return contact
