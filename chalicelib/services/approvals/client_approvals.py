"""Client side of approvals, in the portal: see a deliverable (a readable preview of the current
version and the history), approve it or request changes, and comment.

Access is the portal's (`portal.open_portal`: a current contact of one client); a
deliverable of another client, or named under another project, is a 404 like an unknown one.
Exactly one decision per version: the decision and the deliverable's new status are one
transaction, conditional on the version having no decision and still being the current
one. Of two contacts deciding at once one wins; the other is told who decided.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.domain import access as policies
from chalicelib.domain import approvals as rules
from chalicelib.domain.approvals_inputs import DeliverableCommentInput, DeliverableDecisionInput
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.services.approvals import notices
from chalicelib.services.approvals.deliverables import NOT_FOUND, History, add_comment, history
from chalicelib.services.delivery.previews.urls import preview_url
from chalicelib.services.portal.portal import PortalAccess
from chalicelib.services.projects.client_access import project_for_client
from chalicelib.store import approvals as store
from chalicelib.store.clients import get_contact
from chalicelib.store.grants import grants_of_client
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import iso, transaction

PER_IP, PER_CONTACT, WINDOW = 60, 20, 60  # decisions and comments a minute
MAX_USER_AGENT = 512
LIST_LIMIT = 100


@dataclass(frozen=True)
class Where:
    """Where a decision was made from, as the access log records it."""

    ip: str | None
    user_agent: str | None


def limit_posts(access: PortalAccess, ip: str | None) -> None:
    message = "Too many requests. Wait a minute and try again."
    now = clock.now()
    if ip:
        hit(f"deliverable-ip#{ip}", PER_IP, WINDOW, now, message)
    hit(f"deliverable-contact#{access.business_id}#{access.contact_id}", PER_CONTACT, WINDOW, now, message)


def open_deliverable(access: PortalAccess, project_id: str, deliverable_id: str) -> History:
    """The deliverable with its history, if it belongs to this contact's client and project."""
    found = history(access.business_id, deliverable_id)
    if found.deliverable.client_id != access.client_id or found.deliverable.project_id != project_id:
        raise NotFound(NOT_FOUND)
    project_for_client(access.business_id, access.client_id, project_id)  # a planned project's are not shown yet
    return found


def decide(access: PortalAccess, project_id: str, deliverable_id: str, decision: str, data: DeliverableDecisionInput,
           where: Where) -> History:
    """Approve, or request changes to, the version the page showed. Raises Conflict (409) when
    it was decided already (naming who) or a newer version came meanwhile."""
    found = open_deliverable(access, project_id, deliverable_id)
    comment = rules.check_decision(decision, data.comment)
    number, deliverable = int(data.version), found.deliverable
    version = next((v for v in found.versions if int(v.version) == number), None)
    if version is None:
        raise NotFound("There is no such version.", field="version")
    rules.check_version_open(number, int(deliverable.current_version), version.decided_by_name, version.decision)
    contact = get_contact(access.business_id, access.client_id, access.contact_id)
    if contact is None:
        raise NotFound(NOT_FOUND)
    now = iso(clock.now())
    decided = {"decision": decision, "decision_comment": comment, "decided_at": now,
               "decided_by_contact_id": contact.contact_id, "decided_by_name": contact.name or contact.email,
               "decided_by_email": contact.email, "decided_ip": where.ip,
               "decided_user_agent": (where.user_agent or "")[:MAX_USER_AGENT] or None}
    actions = [getattr(store.DeliverableVersion, k).set(v) for k, v in decided.items() if v is not None]
    try:
        with transaction() as tx:
            tx.update(version, actions=actions, condition=store.DeliverableVersion.decision.does_not_exist())
            tx.update(deliverable, actions=store.status_actions(decision, now, deliverable_id),
                      condition=store.Deliverable.current_version == number)
    except Conflict:
        _explain_conflict(access, deliverable_id, number)
        raise
    for name, value in decided.items():
        setattr(version, name, value)
    deliverable.status, deliverable.updated_at = decision, now
    notices.decided(deliverable, version)
    return found


def _explain_conflict(access: PortalAccess, deliverable_id: str, number: int) -> None:
    """Raise the Conflict that says what happened instead: decided by whom, or a newer version."""
    again = history(access.business_id, deliverable_id)
    version = next(v for v in again.versions if int(v.version) == number)
    rules.check_version_open(number, int(again.deliverable.current_version), version.decided_by_name,
                             version.decision)
    raise Conflict("This deliverable changed at the same time; reload the page.")


def comment(access: PortalAccess, project_id: str, deliverable_id: str,
            data: DeliverableCommentInput) -> store.DeliverableComment:
    text = rules.plain_text(data.text, "text", required=True)
    deliverable = open_deliverable(access, project_id, deliverable_id).deliverable
    contact = get_contact(access.business_id, access.client_id, access.contact_id)
    if contact is None:
        raise NotFound(NOT_FOUND)
    made = add_comment(deliverable, rules.CONTACT, contact.contact_id, contact.name or contact.email, str(text))
    notices.commented(deliverable, made)
    return made


def file_token(access: PortalAccess, project_id: str, deliverable_id: str) -> str:
    """The download token of the contact's grant of the deliverable's file, for more than its preview:
    the whole file is redeemed like every download (`delivery.downloads.redeem`), so its attachment's
    policy decides (locked until released or paid: refused in words; internal: no grant, a 404)."""
    deliverable = open_deliverable(access, project_id, deliverable_id).deliverable
    held = [g for g in grants_of_client(access.business_id, access.client_id)
            if g.resource_id == deliverable.resource_id and g.claimed_by in (None, access.contact_id)
            and policies.shown_to_client(g.policy, g.state, g.reason, g.claimed_by)]
    if not held:
        raise NotFound("This file is not shared with you.")
    # The project's own grant first, and an open one before a locked one.
    held.sort(key=lambda g: (g.state != policies.AVAILABLE, (g.target_type, g.target_id) != ("project", project_id)))
    return str(held[0].file_token)


def deliverables_for_portal(access: PortalAccess, project_id: str) -> list[dict[str, Any]]:
    """The project's deliverables for its page (`templates/portal_project_deliverables.html`):
    what waits on the client first. 404 for a project of another client."""
    project_for_client(access.business_id, access.client_id, project_id)
    items, _ = store.list_page(access.business_id, project_id, None, LIST_LIMIT, None)
    return [{"id": d.deliverable_id, "title": d.title, "status": d.status, "status_label": rules.LABELS[d.status],
             "version": int(d.current_version), "updated_at": d.updated_at, "waiting": d.status == rules.PENDING,
             "path": notices.portal_path(d)}
            for d in items if d.client_id == access.client_id]


def page_view(found: History) -> dict[str, Any]:
    """What the deliverable page shows (and its JSON): the current version's preview, then
    every version newest first with its decision and comments."""
    deliverable = found.deliverable
    current_number = int(deliverable.current_version)
    current = found.current
    return {
        "id": deliverable.deliverable_id, "title": deliverable.title, "project_id": deliverable.project_id,
        "milestone_id": deliverable.milestone_id, "status": deliverable.status,
        "status_label": rules.LABELS[deliverable.status], "version": current_number,
        "can_decide": current.decision is None, "max_comment": rules.MAX_COMMENT,
        "preview": {"url": preview_url(current.page_key), "width": current.page_width,
                    "height": current.page_height} if current.page_key else None,
        "filename": current.filename, "content_type": current.content_type,
        "versions": [_version_view(v, current_number, found.comments.get(int(v.version), []))
                     for v in reversed(found.versions)],
    }


def _version_view(v: store.DeliverableVersion, current: int, comments: list[store.DeliverableComment]
                  ) -> dict[str, Any]:
    status = rules.version_status(v.decision, int(v.version), current)
    return {"version": int(v.version), "filename": v.filename, "created_at": v.created_at, "status": status,
            "status_label": rules.LABELS[status], "decided_by": v.decided_by_name, "decided_at": v.decided_at,
            "decision_comment": v.decision_comment,
            "comments": [{"author": c.author_name, "author_kind": c.author_kind, "text": c.text,
                          "created_at": c.created_at} for c in comments]}
