"""In-app notifications: one item per recipient, newest first in that recipient's inbox.

A recipient is `contact#{client_id}#{contact_id}` (a client's contact) or `staff` (the
business's team, one shared inbox). `read_at` marks it read for that recipient.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import UnicodeAttribute

from chalicelib.store.table import BaseItem, query_page

STAFF = "staff"


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


def contact_recipient(client_id: str, contact_id: str) -> str:
    return f"contact#{client_id}#{contact_id}"


def inbox_pk(business_id: str, recipient: str) -> str:
    return f"INBOX#{business_id}#{recipient}"


def new_notification(business_id: str, recipient: str, created_at: str, notification_id: str,
                     **fields: Any) -> Notification:
    return Notification(inbox_pk(business_id, recipient), f"NOTE#{created_at}#{notification_id}",
                        notification_id=notification_id, business_id=business_id, recipient=recipient,
                        created_at=created_at, **fields)


def list_inbox(business_id: str, recipient: str, limit: int,
               cursor: str | None) -> tuple[list[Notification], str | None]:
    return query_page(Notification, inbox_pk(business_id, recipient), "NOTE#", limit, cursor, newest_first=True)
