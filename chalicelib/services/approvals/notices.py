"""Who hears of what in approvals, through the one seam (`notifications.activity.record`):
the client's contacts when their approval is asked for (first time and each new version),
the team when a contact decides, and the other side of every comment."""
from __future__ import annotations

from chalicelib.domain import approvals as rules
from chalicelib.services.notifications.activity import CLIENT, STAFF, Activity, record
from chalicelib.store import approvals as store
from chalicelib.store.notifications import contact_recipient

_PREVIEW = 280  # characters of a comment quoted in a notification


def portal_path(deliverable: store.Deliverable) -> str:
    return f"projects/{deliverable.project_id}/deliverables/{deliverable.deliverable_id}"


def staff_path(deliverable: store.Deliverable) -> str:
    return f"/app#/approvals/{deliverable.deliverable_id}"


def _activity(deliverable: store.Deliverable, category: str, audience: str, title: str, text: str | None = None,
              actor: str | None = None) -> Activity:
    return Activity(deliverable.business_id, deliverable.client_id, category, audience, title, text=text,
                    portal_path=portal_path(deliverable), staff_path=staff_path(deliverable),
                    project_id=deliverable.project_id, actor=actor)


def approval_requested(deliverable: store.Deliverable, version: int) -> None:
    title = (f"Approval requested: {deliverable.title}" if version == 1
             else f"New version to approve: {deliverable.title} (version {version})")
    record(_activity(deliverable, "approvals", CLIENT, title))


def decided(deliverable: store.Deliverable, version: store.DeliverableVersion) -> None:
    verb = "approved" if version.decision == rules.APPROVED else "requested changes to"
    title = f"{version.decided_by_name or 'The client'} {verb} {deliverable.title} (version {int(version.version)})"
    record(_activity(deliverable, "decisions", STAFF, title, _quote(version.decision_comment),
                     actor=contact_recipient(deliverable.client_id, str(version.decided_by_contact_id))))


def commented(deliverable: store.Deliverable, comment: store.DeliverableComment) -> None:
    """A contact's comment goes to the team; the team's to the client's contacts."""
    by_contact = comment.author_kind == rules.CONTACT
    title = f"{comment.author_name} commented on {deliverable.title}"
    record(_activity(deliverable, "approvals", STAFF if by_contact else CLIENT, title, _quote(comment.text),
                     actor=contact_recipient(deliverable.client_id, comment.author_id) if by_contact else None))


def _quote(text: str | None) -> str | None:
    if not text:
        return None
    return text if len(text) <= _PREVIEW else text[:_PREVIEW - 1].rstrip() + "…"
