"""Notification lists with unread state: a contact's in the portal, the team's in the dashboard.

The recipient is never taken from the request: a contact's comes from its checked portal
access (so it sees only its own, and a removed contact gets no further than `open_portal`),
the team's from the signed-in staff member's business. A note is unread until it is marked
read one by one, or until "mark all read" moves the recipient's read mark past it.
"""
from __future__ import annotations

from contextlib import suppress
from typing import Any

from chalicelib import clock
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.store import notifications as store
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import conditional, iso

PAGE = 25
BADGE_CAP = 100  # the badge counts this many at most: "99+"
MARKS_PER_WINDOW, WINDOW = 300, 600  # mark-read posts per inbox in 10 minutes


def staff_recipient() -> str:
    return store.STAFF


def contact_recipient(client_id: str, contact_id: str) -> str:
    return store.contact_recipient(client_id, contact_id)


def _item(note: store.Notification, mark: str | None, link: str | None) -> dict[str, Any]:
    return {"id": note.notification_id, "category": note.category, "title": note.title, "text": note.text,
            "created_at": note.created_at, "unread": store.is_unread(note, mark), "link": link}


def page(business_id: str, recipient: str, cursor: str | None, link_of: Any, limit: int = PAGE) -> dict[str, Any]:
    """A page of the recipient's notifications, newest first, and the unread count (first page: one
    Query, two when unread notes may lie beyond it; later pages add the read mark's GetItem).
    `link_of(note)` says where each one leads."""
    notes, mark, next_cursor = store.inbox_page(business_id, recipient, max(1, limit), cursor)
    if cursor:
        mark = store.read_mark(business_id, recipient)
    if not cursor and (next_cursor is None or (mark is not None and notes and notes[-1].notification_id <= mark)):
        # Every note that can still be unread is on this page: count here, no second Query
        # (so the portal page stays at 3 calls once the contact has marked all read).
        unread = sum(1 for n in notes if store.is_unread(n, mark))
    else:
        unread = store.count_unread(business_id, recipient, mark, BADGE_CAP)
    return {"items": [_item(n, mark, link_of(n)) for n in notes], "unread": unread,
            "unread_display": "99+" if unread >= BADGE_CAP else str(unread), "next_cursor": next_cursor}


def unread_count(business_id: str, recipient: str) -> dict[str, Any]:
    count = store.count_unread(business_id, recipient, store.read_mark(business_id, recipient), BADGE_CAP)
    return {"unread": count, "unread_display": "99+" if count >= BADGE_CAP else str(count)}


def _limit(business_id: str, recipient: str) -> None:
    hit(f"notes-read#{business_id}#{recipient}", MARKS_PER_WINDOW, WINDOW, clock.now(),
        "Too many changes. Wait a few minutes and try again.")


ALL = "all"  # the id that means every notification


def mark_read(business_id: str, recipient: str, notification_id: str) -> None:
    """Mark one of the recipient's own notes read (again: no change), or all with `ALL`.
    Raises NotFound for anyone else's."""
    if notification_id == ALL:
        mark_all_read(business_id, recipient)
        return
    _limit(business_id, recipient)
    note = store.get_note(business_id, recipient, notification_id)
    if note is None:
        raise NotFound("This notification does not exist.", field="notification_id")
    Note = store.Notification
    with suppress(Conflict):  # read already (another tab, another teammate)
        conditional(lambda: note.update(actions=[Note.read_at.set(iso(clock.now()))],
                                        condition=Note.pk.exists() & Note.read_at.does_not_exist()), "read")


def mark_all_read(business_id: str, recipient: str) -> None:
    """Everything up to the newest note is read; notes that arrive later are not."""
    _limit(business_id, recipient)
    newest, _ = store.list_inbox(business_id, recipient, 1, None)
    if not newest:
        return
    up_to = newest[0].notification_id
    mark = store.new_read_mark(business_id, recipient, up_to)
    with suppress(Conflict):  # the mark only moves forward: a slow older request cannot mark fewer as read
        conditional(lambda: mark.save(condition=store.ReadMark.pk.does_not_exist()
                                      | (store.ReadMark.read_up_to < up_to)), "newer")
