"""In-app notifications: one item per recipient, newest first in that recipient's inbox.

A recipient is `contact#{client_id}#{contact_id}` (a client's contact) or `staff` (the
business's team, one shared inbox). Each inbox is one partition `INBOX#{bid}#{recipient}`:

| item | sk | what |
|---|---|---|
| notification | `NOTE#{notification_id}` | ids sort by time (`note_id`), so the partition is the inbox in order |
| read mark | `READMARK` | "mark all read": every note up to `read_up_to` counts as read |
| pending digest | `DIGEST` | the email that will carry the notes not yet emailed (see services/notifications/digests.py) |

A note is unread while its `read_at` is unset and it is newer than the read mark. `digested_at`
is set, once (conditional), by the digest that handled it: emailed or dropped by preference.
Pending digests are also filed on the sparse gsi3 under `DIGESTS`, by due time, so the
scheduler can send any whose delayed queue message was lost — a Query, never a Scan.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.domain.tokens import new_id
from chalicelib.store.table import BaseItem, decode_cursor, encode_cursor

STAFF = "staff"
NOTE = "NOTE#"
READMARK, DIGEST = "READMARK", "DIGEST"
DIGESTS_PK = "DIGESTS"


class Notification(BaseItem, discriminator="notification"):
    notification_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    recipient = UnicodeAttribute()
    client_id = UnicodeAttribute()
    category = UnicodeAttribute()
    title = UnicodeAttribute()
    text = UnicodeAttribute(null=True)
    portal_path = UnicodeAttribute(null=True)
    staff_path = UnicodeAttribute(null=True)
    project_id = UnicodeAttribute(null=True)
    actor = UnicodeAttribute(null=True)
    reply_to = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    read_at = UnicodeAttribute(null=True)
    digested_at = UnicodeAttribute(null=True)  # handled by a digest (emailed or not wanted): never again
    emailed = BooleanAttribute(null=True)  # it was in the digest email


class ReadMark(BaseItem, discriminator="notification_read_mark"):
    read_up_to = UnicodeAttribute()  # a notification id: it and everything older are read


class PendingDigest(BaseItem, discriminator="pending_digest"):
    business_id = UnicodeAttribute()
    recipient = UnicodeAttribute()
    due_at = UnicodeAttribute()  # the end of the 5-minute window: when the email goes
    events = NumberAttribute(default=1)  # notes that joined: a send retries if one joins while it gathers
    created_at = UnicodeAttribute()


def contact_recipient(client_id: str, contact_id: str) -> str:
    return f"contact#{client_id}#{contact_id}"


def parse_recipient(recipient: str) -> tuple[str, str] | None:
    """(client_id, contact_id) of a contact recipient; None for the staff inbox."""
    kind, _, rest = recipient.partition("#")
    client_id, _, contact_id = rest.partition("#")
    return (client_id, contact_id) if kind == "contact" and client_id and contact_id else None


def inbox_pk(business_id: str, recipient: str) -> str:
    return f"INBOX#{business_id}#{recipient}"


def note_id(moment: datetime) -> str:
    """A notification id that sorts by time (and fits a URL path segment)."""
    return f"{moment:%Y%m%d%H%M%S%f}-{new_id()}"


def new_notification(business_id: str, recipient: str, created_at: str, notification_id: str,
                     **fields: Any) -> Notification:
    """`notification_id` must sort by time (`note_id`): the inbox is ordered by it."""
    return Notification(inbox_pk(business_id, recipient), f"{NOTE}{notification_id}",
                        notification_id=notification_id, business_id=business_id, recipient=recipient,
                        created_at=created_at, **fields)


def list_inbox(business_id: str, recipient: str, limit: int,
               cursor: str | None) -> tuple[list[Notification], str | None]:
    notes, _, next_cursor = inbox_page(business_id, recipient, limit, cursor)
    return notes, next_cursor


def inbox_page(business_id: str, recipient: str, limit: int,
               cursor: str | None) -> tuple[list[Notification], str | None, str | None]:
    """A page of the inbox, newest first, with the read mark: one Query.

    The first page's range starts at `NOTE#` and runs to the end of the partition, so it also
    returns `READMARK` (which sorts after every note, hence first when newest first)."""
    pk = inbox_pk(business_id, recipient)
    start = decode_cursor(cursor, pk, NOTE)
    results = BaseItem.query(pk, BaseItem.sk >= NOTE, scan_index_forward=False, consistent_read=True,
                             limit=limit + (0 if start else 1), page_size=limit + (0 if start else 1),
                             last_evaluated_key=start)
    found = list(results)
    mark = next((i.read_up_to for i in found if isinstance(i, ReadMark)), None)
    notes = [i for i in found if isinstance(i, Notification)]
    last_key = results.last_evaluated_key
    if len(notes) > limit:  # no read mark yet: the extra item read is a note, for the next page
        notes = notes[:limit]
        last_key = {"pk": {"S": pk}, "sk": {"S": notes[-1].sk}}
    return notes, str(mark) if mark else None, encode_cursor(last_key)


def read_mark(business_id: str, recipient: str) -> str | None:
    try:
        return str(ReadMark.get(inbox_pk(business_id, recipient), READMARK, consistent_read=True).read_up_to)
    except ReadMark.DoesNotExist:
        return None


def is_unread(note: Notification, mark: str | None) -> bool:
    return note.read_at is None and (mark is None or note.notification_id > mark)


def count_unread(business_id: str, recipient: str, mark: str | None, cap: int) -> int:
    """Unread notes newer than the read mark, counting at most `cap` (a badge shows "99+")."""
    after = f"{NOTE}{mark}" if mark else NOTE
    results = Notification.query(inbox_pk(business_id, recipient), Notification.sk > after,
                                 filter_condition=Notification.read_at.does_not_exist(),
                                 scan_index_forward=False, limit=cap, page_size=cap)
    return sum(1 for _ in results)


def get_note(business_id: str, recipient: str, notification_id: str) -> Notification | None:
    try:
        return Notification.get(inbox_pk(business_id, recipient), f"{NOTE}{notification_id}")
    except Notification.DoesNotExist:
        return None


def new_read_mark(business_id: str, recipient: str, up_to: str) -> ReadMark:
    return ReadMark(inbox_pk(business_id, recipient), READMARK, read_up_to=up_to)


# --- digests -----------------------------------------------------------------------------


def new_pending_digest(business_id: str, recipient: str, due_at: str, created_at: str) -> PendingDigest:
    return PendingDigest(inbox_pk(business_id, recipient), DIGEST, business_id=business_id, recipient=recipient,
                         due_at=due_at, created_at=created_at, events=1,
                         gsi3pk=DIGESTS_PK, gsi3sk=f"{due_at}#{business_id}#{recipient}")


def get_pending(business_id: str, recipient: str) -> PendingDigest | None:
    try:
        return PendingDigest.get(inbox_pk(business_id, recipient), DIGEST, consistent_read=True)
    except PendingDigest.DoesNotExist:
        return None


def undigested(business_id: str, recipient: str, since_id: str, limit: int) -> list[Notification]:
    """Notes not handled by a digest yet, created after `since_id` (a `note_id` bound), oldest first."""
    results = Notification.query(inbox_pk(business_id, recipient), Notification.sk.between(f"{NOTE}{since_id}",
                                                                                          f"{NOTE}~"),
                                 filter_condition=Notification.digested_at.does_not_exist(), consistent_read=True)
    found: list[Notification] = []
    for note in results:
        found.append(note)
        if len(found) >= limit:
            break
    return found


def digests_due(until: str, limit: int) -> list[tuple[str, str, str]]:
    """(business_id, recipient, due_at) of pending digests due at or before `until`, oldest first."""
    found: list[tuple[str, str, str]] = []
    for item in BaseItem.gsi3.query(DIGESTS_PK, BaseItem.gsi3sk <= f"{until}~", limit=limit):
        due_at, business_id, recipient = str(item.gsi3sk).split("#", 2)
        found.append((business_id, recipient, due_at))
    return found


# --- "new file available": once per file per client -----------------------------------------


class FileNotice(BaseItem, discriminator="file_notice"):
    """The client was told this file is available (`FILENOTICE#{bid}#{cid}#{rid}`): written once,
    conditionally, so a re-release, a second grant of the file or two releases at once tell no one again."""

    created_at = UnicodeAttribute()


def new_file_notice(business_id: str, client_id: str, resource_id: str, created_at: str) -> FileNotice:
    return FileNotice(f"FILENOTICE#{business_id}#{client_id}#{resource_id}", "FILENOTICE", created_at=created_at)
