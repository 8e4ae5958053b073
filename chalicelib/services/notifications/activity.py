"""What happened that people should hear of: one call, `record(Activity(...))`, from every feature.

A feature says what happened, to which client, for whom (the client's contacts or the team);
this module puts it in each recipient's notification list and into that recipient's pending
email digest (`digests.schedule`: several events within 5 minutes go out as one email, by each
contact's preferences), so features never mail about activity themselves.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib import clock
from chalicelib.services.notifications import digests
from chalicelib.services.notifications.notifications import ACTIVITY
from chalicelib.services.projects.client_access import client_can_see
from chalicelib.store import notifications as store
from chalicelib.store.clients import list_contacts
from chalicelib.store.table import iso

# The email preference categories of activity (see email_preferences); each can be turned off.
CATEGORIES = ACTIVITY  # messages, approvals, decisions, milestones, invoices, files
CLIENT, STAFF = "client", "staff"


@dataclass(frozen=True)
class Activity:
    business_id: str
    client_id: str
    category: str  # one of CATEGORIES
    audience: str  # CLIENT: the client's contacts; STAFF: the business's team
    title: str  # one plain-text line: "New message from Ada Lovelace"
    text: str | None = None  # plain text: the message's first lines, the comment…
    portal_path: str | None = None  # under the contact's portal: "projects/{id}" (no leading slash)
    staff_path: str | None = None  # dashboard route: "/dashboard/projects/{id}" or "#/projects/{id}" (→ /app/#/projects/{id})
    project_id: str | None = None  # set when the link goes into the project: a client is told only if it may see it
    actor: str | None = None  # who did it: a recipient id (`store.contact_recipient`) is not told of its own act
    reply_to: str | None = None  # a reply address, for emails about messages…
    # …or, better, each recipient's own (a contact's reply token only works from that contact's address)
    reply_to_for: Callable[[str], str | None] | None = None
    # The same action already emailed it (the invoice email, a purchase receipt): listed, but the
    # digest leaves it out, so the client does not get a second email about one thing.
    emailed: bool = False


def recipients_of(activity: Activity) -> list[str]:
    if activity.audience == STAFF:
        return [store.STAFF]
    everyone = [store.contact_recipient(c.client_id, c.contact_id) for c in list_contacts(activity.business_id,
                                                                                         activity.client_id)]
    return [r for r in everyone if r != activity.actor]


def record(activity: Activity) -> list[store.Notification]:
    """Add the activity to each recipient's notification list and pending digest; returns the items written."""
    if activity.category not in CATEGORIES or activity.audience not in (CLIENT, STAFF):
        raise ValueError(f"unknown activity {activity.category}/{activity.audience}")
    if activity.audience == CLIENT and activity.project_id and not client_can_see(
            activity.business_id, activity.client_id, activity.project_id):
        return []  # about a project not shown to the client (planned): its link would be a 404
    moment = clock.now()
    now = iso(moment)
    written = []
    for recipient in recipients_of(activity):
        item = store.new_notification(
            activity.business_id, recipient, now, store.note_id(moment), client_id=activity.client_id,
            category=activity.category,
            title=activity.title, text=activity.text, portal_path=activity.portal_path,
            staff_path=activity.staff_path, project_id=activity.project_id, actor=activity.actor,
            reply_to=activity.reply_to_for(recipient) if activity.reply_to_for else activity.reply_to,
            digested_at=now if activity.emailed else None)
        item.save()
        if not activity.emailed:
            digests.schedule(activity.business_id, recipient, moment)  # after the save: the digest must find it
        written.append(item)
    return written
