"""Staff side of approvals: mark a project's file "needs approval", record each new version
of it (which resets the approval to pending), comment, and read the history.

A deliverable's versions are its own records (`store/approvals.py`): the file key, name
and type of each, so an old version stays downloadable to staff after the resource moved
on, and a decision always names the exact file the client saw.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from chalicelib import clock
from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain import approvals as rules
from chalicelib.domain.approvals_inputs import DeliverableCommentInput, DeliverableInput
from chalicelib.domain.errors import Conflict, NotFound, ValidationError
from chalicelib.domain.inputs import FileSpec
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import new_id
from chalicelib.services.approvals import notices
from chalicelib.services.approvals.page_preview import make_page_preview
from chalicelib.services.delivery import resources
from chalicelib.store import approvals as store
from chalicelib.store.attachments import attachments_of_resource
from chalicelib.store.projects import get_milestone, get_project
from chalicelib.store.resources import FILE, READY, Resource, get_resource
from chalicelib.store.table import iso, transaction

NOT_FOUND = "Deliverable not found."


@dataclass
class History:
    """A deliverable with every version (oldest first) and the comments on each, in order."""

    deliverable: store.Deliverable
    versions: list[store.DeliverableVersion] = field(default_factory=list)
    comments: dict[int, list[store.DeliverableComment]] = field(default_factory=dict)

    @property
    def current(self) -> store.DeliverableVersion:
        return next(v for v in self.versions if int(v.version) == int(self.deliverable.current_version))


def history(business_id: str, deliverable_id: str) -> History:
    """The whole deliverable in one Query. Raises NotFound."""
    found = store.load(business_id, deliverable_id)
    metas = [i for i in found if isinstance(i, store.Deliverable)]
    if not metas:
        raise NotFound(NOT_FOUND, field="deliverable_id")
    result = History(metas[0])
    for item in found:
        if isinstance(item, store.DeliverableVersion):
            result.versions.append(item)
        elif isinstance(item, store.DeliverableComment):
            result.comments.setdefault(int(item.version), []).append(item)
    return result


def deliverable_id_for(resource_id: str, project_id: str, milestone_id: str | None) -> str:
    """One deliverable per file and place: asking twice finds the first (a conditional put)."""
    return hashlib.sha256(f"deliverable:{resource_id}:{project_id}:{milestone_id or ''}".encode()).hexdigest()[:20]


def _attached_there(business_id: str, resource_id: str, project_id: str, milestone_id: str | None) -> bool:
    places = {("project", project_id)} | ({("milestone", milestone_id)} if milestone_id else set())
    return any((a.target_type, a.target_id) in places for a in attachments_of_resource(business_id, resource_id))


def _live_file(business_id: str, resource_id: str) -> Resource:
    resource = get_resource(business_id, resource_id)
    if resource is None:
        raise NotFound("Resource not found.", field="resource_id")
    if resource.kind != FILE or resource.status != READY or not resource.s3_key:
        raise ValidationError("Only an uploaded file can need approval (not a link, nor a file still uploading).",
                              field="resource_id")
    return resource


def mark(principal: Principal, data: DeliverableInput) -> History:
    """Ask the project's client to approve the file; its current file is version 1."""
    bid = principal.business_id
    project = get_project(bid, data.project_id)
    if project is None:
        raise NotFound("Project not found.", field="project_id")
    if data.milestone_id and get_milestone(bid, data.project_id, data.milestone_id) is None:
        # A milestone of another project (or none) would file the approval where nobody looks for it.
        raise NotFound("Milestone not found in this project.", field="milestone_id")
    resource = _live_file(bid, data.resource_id)
    if not _attached_there(bid, resource.resource_id, data.project_id, data.milestone_id):
        raise ValidationError("Attach the file to the project first, then ask for its approval.", field="resource_id")
    deliverable_id = deliverable_id_for(resource.resource_id, data.project_id, data.milestone_id)
    now = iso(clock.now())
    deliverable = store.new_deliverable(
        bid, deliverable_id, client_id=project.client_id, project_id=data.project_id, milestone_id=data.milestone_id,
        resource_id=resource.resource_id, title=data.title or resource.title, status=rules.PENDING,
        current_version=1, created_at=now, created_by=principal.email, updated_at=now)
    version = _version_of(bid, deliverable_id, 1, resource, now, principal.email)
    try:
        with transaction() as tx:
            tx.save(deliverable, condition=store.Deliverable.pk.does_not_exist())
            tx.save(version, condition=store.DeliverableVersion.pk.does_not_exist())
    except Conflict as e:
        raise Conflict("This file already needs approval on this project.") from e
    notices.approval_requested(deliverable, 1)
    return History(deliverable, [version], {})


def _version_of(business_id: str, deliverable_id: str, number: int, resource: Resource, now: str,
                by: str) -> store.DeliverableVersion:
    page = make_page_preview(business_id, resource.resource_id, int(resource.version), str(resource.s3_key),
                             resource.content_type, resource.filename)
    return store.new_version(
        business_id, deliverable_id, number, resource_version=int(resource.version), s3_key=resource.s3_key,
        filename=resource.filename, size=resource.size, content_type=resource.content_type,
        page_key=page.key if page else None, page_width=page.width if page else None,
        page_height=page.height if page else None, created_at=now, created_by=by)


def get_history(principal: Principal, deliverable_id: str) -> History:
    return history(principal.business_id, deliverable_id)


def list_deliverables(principal: Principal, status: str | None, project_id: str | None, limit: int,
                      cursor: str | None) -> tuple[list[store.Deliverable], str | None]:
    if status is not None and status not in rules.STATUSES:
        raise ValidationError(f"Status must be one of: {', '.join(rules.STATUSES)}.", field="status")
    return store.list_page(principal.business_id, project_id, status, limit, cursor)


def start_new_version(principal: Principal, deliverable_id: str, spec: FileSpec) -> dict[str, Any]:
    """The upload plan of a replacement file (the resource's presigned-upload flow)."""
    deliverable = history(principal.business_id, deliverable_id).deliverable
    return resources.new_version(principal, deliverable.resource_id, spec)


def confirm_new_version(principal: Principal, deliverable_id: str) -> History:
    """Confirm the replacement upload (if one is in flight) and record it as the next version:
    the approval is pending again and the client is asked once more."""
    found = history(principal.business_id, deliverable_id)
    deliverable, latest = found.deliverable, found.versions[-1]
    resource = resources.get_resource(principal, deliverable.resource_id)
    if resource.pending_key:
        resource = resources.confirm_upload(principal, deliverable.resource_id)
    if resource.kind != FILE or int(resource.version) <= int(latest.resource_version) or not resource.s3_key:
        raise Conflict("There is no new file to record: upload the new version first.")
    number, now = int(latest.version) + 1, iso(clock.now())
    version = _version_of(principal.business_id, deliverable_id, number, resource, now, principal.email)
    try:
        with transaction() as tx:
            tx.save(version, condition=store.DeliverableVersion.pk.does_not_exist())
            tx.update(deliverable, actions=[store.Deliverable.current_version.set(number),
                                            *store.status_actions(rules.PENDING, now, deliverable_id)],
                      condition=store.Deliverable.current_version == int(latest.version))
    except Conflict as e:
        raise Conflict("Another new version was recorded at the same time; reload.") from e
    deliverable.current_version, deliverable.status, deliverable.updated_at = number, rules.PENDING, now
    found.versions.append(version)
    notices.approval_requested(deliverable, number)
    return found


def comment_as_staff(principal: Principal, deliverable_id: str, data: DeliverableCommentInput) -> store.DeliverableComment:
    text = rules.plain_text(data.text, "text", required=True)
    deliverable = history(principal.business_id, deliverable_id).deliverable
    comment = add_comment(deliverable, rules.STAFF, principal.user_id, principal.email, str(text))
    notices.commented(deliverable, comment)
    return comment


def add_comment(deliverable: store.Deliverable, author_kind: str, author_id: str, author_name: str,
                text: str) -> store.DeliverableComment:
    """A comment on the deliverable's current version, in order with the others."""
    comment = store.new_comment(deliverable.business_id, deliverable.deliverable_id, int(deliverable.current_version),
                                iso(clock.now()), new_id(), author_kind=author_kind, author_id=author_id,
                                author_name=author_name, text=text)
    comment.save(condition=store.DeliverableComment.pk.does_not_exist())
    return comment


def file_url(version: store.DeliverableVersion, ttl: int | None = None) -> str:
    """A presigned GET of this version's file, as a download (never rendered by the browser)."""
    filename = (version.filename or "file").replace('"', "")
    params = {"Bucket": settings().files_bucket, "Key": version.s3_key,
              "ResponseContentDisposition": f'attachment; filename="{filename}"'}
    if version.content_type:
        params["ResponseContentType"] = version.content_type
    return str(s3().generate_presigned_url("get_object", Params=params,
                                           ExpiresIn=ttl or settings().presign_ttl_seconds))
