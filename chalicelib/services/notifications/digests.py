"""Digests: several notifications within 5 minutes reach a recipient as ONE email.

How a window works (one recipient: a contact, or the team):
1. `schedule` (called by `activity.record` after it writes the notification) puts the
   recipient's pending digest `DIGEST` with `due_at` = now + 5 minutes, on condition that none
   exists. Only the first event of a window succeeds, and it queues a message on the mail
   queue with `DelaySeconds=300`. Later events of the window add 1 to the pending digest's
   `events` (condition: it still exists); if it was sent meanwhile, they start the next window.
2. Five minutes later the mail worker gets the message and calls `send_digest`: it reads the
   pending digest, gathers the recipient's notes no digest handled yet, and in ONE transaction
   deletes the pending digest (condition: same `due_at` and `events`: nobody joined while it
   gathered) and marks every gathered note `digested_at` (condition: not yet). So a duplicate
   or retried delivery, or the scheduler's sweep running at the same time, finds the claim
   taken and sends nothing: each note is emailed at most once, and a window is one email.
3. Then it sends the email (SES, through `mail.send`, which also drops suppressed addresses).
   If SES refuses, the claim is released (notes unmarked, pending digest put back) and the
   error raised, so SQS delivers the message again.

The scheduler (hourly) also sends every pending digest that is due (`send_due`): a queue
message lost because SQS refused it when the window opened costs an hour's delay, not the email.
"""
from __future__ import annotations

import functools
import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from chalicelib import clock, queues
from chalicelib.config import settings
from chalicelib.domain.errors import Conflict, Unavailable
from chalicelib.services.notifications import digest_email, mail
from chalicelib.services.notifications.notifications import wants
from chalicelib.store import notifications as store
from chalicelib.store.businesses import get_business
from chalicelib.store.clients import get_contact
from chalicelib.store.table import conditional, iso, transaction

log = logging.getLogger("paydrop.mail")

WINDOW = timedelta(minutes=5)  # also the queue message's DelaySeconds (SQS allows up to 900)
LOOKBACK = timedelta(days=1)  # notes older than this and never digested are not emailed any more
MAX_NOTES = 99  # one TransactWriteItems holds 100 actions: the pending digest and 99 notes
ATTEMPTS = 5


# --- scheduling (request path) ------------------------------------------------------------


def schedule(business_id: str, recipient: str, now: datetime) -> None:
    """Put this event in the recipient's current window, or open one and queue its send."""
    Pending = store.PendingDigest
    for _ in range(3):
        pending = store.new_pending_digest(business_id, recipient, iso(now + WINDOW), iso(now))
        try:
            conditional(functools.partial(pending.save, condition=Pending.pk.does_not_exist()), "pending")
        except Conflict:
            joined = Pending(store.inbox_pk(business_id, recipient), store.DIGEST)
            try:
                conditional(functools.partial(joined.update, actions=[Pending.events.add(1)],
                                              condition=Pending.pk.exists()), "sent")
                return
            except Conflict:
                continue  # the window was just sent: this event opens the next one
        queue_send(business_id, recipient, pending.due_at)
        return
    log.warning("digest window of %s kept changing; this event waits for the next one", recipient.partition("#")[0])


def queue_send(business_id: str, recipient: str, due_at: str) -> None:
    """The delayed message that sends the window when it ends. If SQS refuses, the pending digest
    stays and the scheduler's sweep sends it: the event that opened the window is not failed."""
    body = json.dumps({"digest": {"business_id": business_id, "recipient": recipient, "due_at": due_at}})
    url = settings().mail_queue_url
    try:
        if not url:
            raise Unavailable("MAIL_QUEUE_URL is not set")
        queues.send(url, body, delay_seconds=int(WINDOW.total_seconds()))
    except Unavailable:
        log.warning("digest due %s could not be queued; the scheduler will send it", due_at)


def digest_of(body: str) -> tuple[str, str, str] | None:
    """(business_id, recipient, due_at) if the mail queue message `body` is a digest's; else None."""
    try:
        fields = json.loads(body)
    except ValueError:
        return None
    digest = fields.get("digest") if isinstance(fields, dict) else None
    if not isinstance(digest, dict):
        return None
    values = (digest.get("business_id"), digest.get("recipient"), digest.get("due_at"))
    if not all(isinstance(v, str) and v for v in values):
        raise ValueError("a digest message names business_id, recipient and due_at")
    return str(values[0]), str(values[1]), str(values[2])


# --- sending (mail worker, scheduler) ----------------------------------------------------


def send_digest(business_id: str, recipient: str, due_at: str) -> int:
    """Send the recipient's window that ends at `due_at`; returns the notifications emailed (0 when
    it was already sent, or nothing in it is wanted). Raises Unavailable (claim released) if SES refuses."""
    for _ in range(ATTEMPTS):
        pending = store.get_pending(business_id, recipient)
        if pending is None or pending.due_at != due_at:
            return 0  # sent already (a duplicate delivery, the sweep), or another window's message
        now = clock.now()
        notes = store.undigested(business_id, recipient, f"{now - LOOKBACK:%Y%m%d%H%M%S%f}", MAX_NOTES)
        email, wanted = compose(business_id, recipient, notes)
        try:
            claim(pending, notes, wanted, iso(now))
        except Conflict:
            continue  # someone joined while we gathered, or another delivery claimed it: look again
        if len(notes) == MAX_NOTES:
            schedule(business_id, recipient, now)  # more than one email holds: the rest in the next window
        if email is None:
            return 0
        try:
            mail.send(email)
        except Unavailable:
            release(pending, notes)
            raise
        log.info("digest of %d notification(s) sent to %s", len(wanted), recipient.partition("#")[0])
        return len(wanted)
    raise Unavailable("The digest kept changing while it was sent; it will be retried.")


def compose(business_id: str, recipient: str,
            notes: Sequence[store.Notification]) -> tuple[mail.Email | None, list[store.Notification]]:
    """The email for these notes and the notes in it: the contact's wanted categories only; none for a
    removed contact or a business without an address."""
    business = get_business(business_id)
    contact_ids = store.parse_recipient(recipient)
    if business is None or not notes:
        return None, []
    if contact_ids is None:
        email = digest_email.for_staff(business, notes)  # None: the business has no address
        return email, list(notes) if email else []
    contact = get_contact(business_id, *contact_ids)
    if contact is None:
        return None, []  # removed: nothing more reaches them
    wanted = [n for n in notes if wants(contact, n.category)]
    return (digest_email.for_contact(business, contact, wanted) if wanted else None), wanted


def claim(pending: store.PendingDigest, notes: Sequence[store.Notification], wanted: Sequence[store.Notification],
          now: str) -> None:
    """One transaction: the window ends and its notes are marked handled. Raises Conflict if any of it moved."""
    emailed = {n.notification_id for n in wanted}
    Note = store.Notification
    with transaction() as tx:
        tx.delete(pending, condition=(store.PendingDigest.due_at == pending.due_at)
                  & (store.PendingDigest.events == pending.events))
        for note in notes:
            tx.update(note, actions=[Note.digested_at.set(now), Note.emailed.set(note.notification_id in emailed)],
                      condition=Note.pk.exists() & Note.digested_at.does_not_exist())


def release(pending: store.PendingDigest, notes: Sequence[store.Notification]) -> None:
    """Undo `claim` after SES refused, so the retried message sends the window again."""
    Note = store.Notification
    try:
        with transaction() as tx:
            for note in notes:
                tx.update(note, actions=[Note.digested_at.remove(), Note.emailed.remove()],
                          condition=Note.pk.exists())
        again = store.new_pending_digest(pending.business_id, pending.recipient, pending.due_at, pending.created_at)
        again.events = pending.events
        conditional(lambda: again.save(condition=store.PendingDigest.pk.does_not_exist()), "pending")
    except Conflict:
        pass  # a new window opened meanwhile: it carries the released notes
    except Exception:
        log.exception("a digest's claim could not be released: its notifications stay unemailed")


def send_due(now: datetime, limit: int = 500) -> dict[str, Any]:
    """Send every pending digest due by `now` (the scheduler's sweep, `make tick`); returns counts."""
    sent = emailed = failed = 0
    for business_id, recipient, due_at in store.digests_due(iso(now), limit):
        try:
            count = send_digest(business_id, recipient, due_at)
        except Exception:
            log.exception("digest for %s due %s failed", recipient.partition("#")[0], due_at)
            failed += 1
            continue
        sent += 1 if count else 0
        emailed += count
    return {"sent": sent, "notifications": emailed, "failed": failed}
