"""A signed-in contact's Files page: every available grant of their client, for repeat
downloads, searchable by tag and text. Two reads: the client's grants (one Query on gsi1),
then the live resources, the business and the contact together (one BatchGet)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from chalicelib import clock
from chalicelib.domain import access, previews
from chalicelib.services.delivery.file_labels import label_of
from chalicelib.services.delivery.previews.urls import preview_url
from chalicelib.services.identity import contact_access
from chalicelib.services.identity.client_sessions import ClientSession
from chalicelib.services.portal.page_locale import page_locale
from chalicelib.store.businesses import Business, business_pk
from chalicelib.store.clients import Contact, client_sk
from chalicelib.store.grants import Grant, grants_of_client
from chalicelib.store.resources import Resource, resource_sk


@dataclass(frozen=True)
class FileEntry:
    title: str
    description: str | None
    tags: list[str]
    kind: str
    filename: str | None
    size: int | None
    status: str
    download_url: str | None  # None when the file is used up or expired: the status says so
    preview_url: str | None = None


@dataclass
class FilesPage:
    business: Business
    contact: Contact
    entries: list[FileEntry] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # every tag of the contact's files, for the filter
    locale: str | None = None  # the reader's: its client's own, else the business's (read with the contact)


def _mine(grant: Grant, contact_id: str) -> bool:
    """Available or expired (it says so), shown to clients, not claimed by another contact of the client."""
    return (grant.state in (access.AVAILABLE, access.EXPIRED)
            and access.shown_to_client(grant.policy, grant.state, grant.reason, grant.claimed_by)
            and grant.claimed_by in (None, contact_id))


def entry_for(grant: Grant, resource: Resource | None, base_url: str, now: datetime) -> FileEntry:
    """What a client sees of one grant: the live resource's title, tags and preview, the grant's state."""
    return FileEntry(
        title=resource.title if resource else grant.title, description=resource.description if resource else None,
        tags=[str(t) for t in resource.tags or []] if resource else [], kind=grant.kind,
        filename=(resource or grant).filename,
        size=int(s) if (s := (resource or grant).size) is not None else None,
        status=(label := label_of(grant, now)).text,
        download_url=f"{base_url}/files/{grant.file_token}" if label.link else None,
        preview_url=preview_url(resource.preview_small_key) if resource and resource.preview_state == previews.READY
        else None,
    )


def _matches(entry: FileEntry, tag: str | None, needle: str) -> bool:
    text = f"{entry.title} {entry.description or ''} {entry.filename or ''}".lower()
    return (not tag or tag in entry.tags) and (not needle or needle in text)


def files_page(session: ClientSession, tag: str | None, query: str | None, base_url: str) -> FilesPage | None:
    """The page, or None when the session has ended (signed out, contact removed or readdressed)."""
    return files_of(session.business_id, session.client_id, session.contact_id, session, tag, query, base_url)


def files_of(bid: str, client_id: str, contact_id: str, session: ClientSession | None, tag: str | None,
             query: str | None, base_url: str) -> FilesPage | None:
    """A contact's files (for the Files page and the portal's files tab); None if the contact is gone
    or, for a session, the session is no longer current (`contact_access`)."""
    grants = [g for g in grants_of_client(bid, client_id) if _mine(g, contact_id)]
    business, contact, found = contact_access.read(
        bid, client_id, contact_id, list({(business_pk(bid), resource_sk(g.resource_id)) for g in grants}))
    if business is None or contact is None:
        return None
    if session is not None and not contact_access.session_is_current(contact, session):
        return None
    client = found.get((business_pk(bid), client_sk(client_id)))
    page = FilesPage(business, contact, locale=page_locale(business, getattr(client, "locale", None)))
    all_tags: set[str] = set()
    needle = (query or "").strip().lower()
    now = clock.now()
    for grant in sorted(grants, key=lambda g: g.created_at, reverse=True):
        live = found.get((business_pk(bid), resource_sk(grant.resource_id)))
        entry = entry_for(grant, live if isinstance(live, Resource) else None, base_url, now)
        all_tags.update(entry.tags)
        if _matches(entry, tag, needle):
            page.entries.append(entry)
    page.tags = sorted(all_tags, key=str.lower)
    return page
