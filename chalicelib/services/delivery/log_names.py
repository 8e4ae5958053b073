"""Names for access-log entries: the file's title, the invoice's number, the client's and the
contact's names, next to the ids the log stores.

The log keeps ids only (an entry outlives a rename and must say what was touched, not what it
is called today), so names are read when the log is shown or exported: one BatchGet for every
id of a page that is not known yet (`NameBook` remembers what it read), never one read per
entry — a page of 50 entries about one file and one client costs one BatchGet of 2–3 keys.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from chalicelib.store.access_log import AccessLog
from chalicelib.store.businesses import business_pk
from chalicelib.store.clients import Client, Contact, client_sk, contact_sk
from chalicelib.store.documents import Document, doc_pk
from chalicelib.store.resources import Resource, resource_sk
from chalicelib.store.table import BaseItem

NAME_COLUMNS = ("resource_title", "doc_number", "client_name", "actor_name")
BATCH = 100  # DynamoDB's BatchGetItem limit
_MAX_REMEMBERED = 20_000  # an export of a million entries keeps at most this many names

Key = tuple[str, str]


def contact_of(actor: str | None) -> str | None:
    """The contact id of a `contact:{id}` actor (clients who claimed or downloaded)."""
    return actor.removeprefix("contact:") if actor and actor.startswith("contact:") else None


class NameBook:
    """The names of one business's files, invoices, clients and contacts, read in batches."""

    def __init__(self, business_id: str) -> None:
        self.business_id = business_id
        self.names: dict[Key, str | None] = {}

    def _keys(self, entry: AccessLog) -> list[Key]:
        biz = business_pk(self.business_id)
        keys = []
        if entry.resource_id:
            keys.append((biz, resource_sk(entry.resource_id)))
        if entry.doc_id:
            keys.append((doc_pk(self.business_id, entry.doc_id), "META"))
        if entry.client_id:
            keys.append((biz, client_sk(entry.client_id)))
            contact_id = contact_of(entry.actor)
            if contact_id:
                keys.append((biz, contact_sk(entry.client_id, contact_id)))
        return keys

    def learn(self, entries: list[AccessLog]) -> None:
        """Read every name these entries need that is not known yet (one BatchGet per 100 keys)."""
        if len(self.names) > _MAX_REMEMBERED:
            self.names.clear()
        missing = list(dict.fromkeys(k for e in entries for k in self._keys(e) if k not in self.names))
        for start in range(0, len(missing), BATCH):
            chunk = missing[start:start + BATCH]
            for key in chunk:
                self.names[key] = None  # deleted since: stays without a name, never read again
            for item in BaseItem.batch_get(chunk):
                self.names[(item.pk, item.sk)] = _name_of(item)

    def of(self, entry: AccessLog) -> dict[str, str | None]:
        """`NAME_COLUMNS` for one entry (None where the thing is gone or was never named)."""
        biz = business_pk(self.business_id)
        contact_id = contact_of(entry.actor)
        return {
            "resource_title": self.names.get((biz, resource_sk(entry.resource_id))) if entry.resource_id else None,
            "doc_number": self.names.get((doc_pk(self.business_id, entry.doc_id), "META")) if entry.doc_id else None,
            "client_name": self.names.get((biz, client_sk(entry.client_id))) if entry.client_id else None,
            "actor_name": (self.names.get((biz, contact_sk(entry.client_id, contact_id)))
                           if entry.client_id and contact_id else None),
        }


def _name_of(item: BaseItem) -> str | None:
    if isinstance(item, Resource):
        return str(item.title)
    if isinstance(item, Document):
        return str(item.number)
    if isinstance(item, Client | Contact):
        return str(item.name)
    return None


def with_names(business_id: str, entries: Iterable[AccessLog]) -> Iterator[tuple[AccessLog, dict[str, str | None]]]:
    """Each entry with its names, reading names one batch of `BATCH` entries at a time."""
    book = NameBook(business_id)
    stream = iter(entries)
    while chunk := list(islice(stream, BATCH)):
        book.learn(chunk)
        for entry in chunk:
            yield entry, book.of(entry)
