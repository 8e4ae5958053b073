"""The scheduler's agenda: what is due on a day, found with queries on the sparse gsi3, never a Scan.

`Document.serialize` files open invoices under `DUE#{due date}`, `Grant.serialize` files
available grants under `EXPIRES#{day access ends}` (see store/documents.py, store/grants.py).
The index holds keys and the type only; `load` reads the items themselves, consistently, so
the scheduler acts on what is stored now rather than on an index that may lag.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from chalicelib.domain.errors import Conflict
from chalicelib.store.documents import Document, ReminderSent, due_pk, reminder_sk
from chalicelib.store.grants import Grant, expires_pk
from chalicelib.store.table import BaseItem, conditional, delete_item

Key = tuple[str, str]


def invoices_due_on(day: date) -> list[Key]:
    """Keys of the open invoices (every business) due on `day`."""
    return [(i.pk, i.sk) for i in BaseItem.gsi3.query(due_pk(day.isoformat()))]


def grants_expiring_on(day: date, until: str | None = None) -> list[Key]:
    """Keys of the available grants whose access ends on `day` (at or before `until`, an ISO
    moment on that day, when given)."""
    condition = BaseItem.gsi3sk < f"{until}~" if until else None  # "~" sorts after the "#…" that follows
    return [(i.pk, i.sk) for i in BaseItem.gsi3.query(expires_pk(day.isoformat()), condition)]


def load(keys: Iterable[Key]) -> list[BaseItem]:
    """The items behind `keys` as stored now (BatchGet, 100 keys a call, consistent)."""
    unique = sorted(set(keys))
    found: list[BaseItem] = []
    for start in range(0, len(unique), 100):
        found.extend(BaseItem.batch_get(unique[start:start + 100], consistent_read=True))
    return found


def invoices(keys: Iterable[Key]) -> list[Document]:
    return [i for i in load(keys) if isinstance(i, Document)]


def grants(keys: Iterable[Key]) -> list[Grant]:
    return [i for i in load(keys) if isinstance(i, Grant)]


def claim_reminder(document: Document, step: str, sent_at: str) -> bool:
    """Record that `step` is being sent for the invoice's current due date; False if it already
    was (by an earlier tick, a retry, or a tick running at the same moment)."""
    marker = ReminderSent(document.pk, reminder_sk(str(document.due_date), step), doc_id=document.doc_id,
                          step=step, due_date=str(document.due_date), sent_at=sent_at)
    try:
        conditional(lambda: marker.save(condition=ReminderSent.pk.does_not_exist()), "Already sent.")
    except Conflict:
        return False
    return True


def reminders_sent_among(candidates: list[tuple[Document, str]]) -> set[Key]:
    """Which of these (invoice, step) are already recorded as sent (BatchGet, 100 a call): an
    hourly run reads them instead of failing a conditional write for each, every hour of the day."""
    keys = [(d.pk, reminder_sk(str(d.due_date), step)) for d, step in candidates]
    return {(i.pk, i.sk) for i in load(keys) if isinstance(i, ReminderSent)}


def release_reminder(document: Document, step: str) -> None:
    """Forget a claimed step whose email could not be queued, so the next tick tries again."""
    delete_item(ReminderSent(document.pk, reminder_sk(str(document.due_date), step)))


def reminders_sent(document: Document) -> list[ReminderSent]:
    return list(ReminderSent.query(document.pk, ReminderSent.sk.startswith("REMINDER#")))
