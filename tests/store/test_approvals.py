"""The deliverable partition: one Query returns the deliverable, then each version followed by its
comments in order; the indexes list by status (newest first) without a filter."""
from __future__ import annotations

from typing import Any

from chalicelib.domain.tokens import new_id
from chalicelib.store import approvals as store
from chalicelib.store.table import BaseItem


def _deliverable(business_id: str, project_id: str, status: str, at: str) -> store.Deliverable:
    item = store.new_deliverable(business_id, new_id(), client_id="c1", project_id=project_id, resource_id="r1",
                                 title="Logo", status=status, current_version=1, created_at=at, updated_at=at)
    item.save()
    return item


def test_one_query_reads_the_history_in_order(aws: Any) -> None:
    bid = new_id()
    d = _deliverable(bid, "p1", "pending", "2026-12-01T10:00:00.000Z")
    did = d.deliverable_id
    for n in (1, 2):
        store.new_version(bid, did, n, resource_version=n, s3_key=f"k{n}", created_at=f"2026-12-0{n}").save()
    for n, at, text in ((2, "2026-12-02T10:00:00.000Z", "third"), (1, "2026-12-01T11:00:00.000Z", "second"),
                        (1, "2026-12-01T10:30:00.000Z", "first")):
        store.new_comment(bid, did, n, at, new_id(), author_kind="staff", author_id="u", author_name="U",
                          text=text).save()
    found = store.load(bid, did)
    shape = [(type(i).__name__, getattr(i, "version", None), getattr(i, "text", None)) for i in found]
    assert shape == [("Deliverable", None, None), ("DeliverableVersion", 1, None), ("DeliverableComment", 1, "first"),
                     ("DeliverableComment", 1, "second"), ("DeliverableVersion", 2, None),
                     ("DeliverableComment", 2, "third")]
    assert all(isinstance(i, BaseItem) for i in found)


def test_lists_by_status_and_by_project_newest_first(aws: Any) -> None:
    bid = new_id()
    old = _deliverable(bid, "p1", "pending", "2026-12-01T09:00:00.000Z")
    new = _deliverable(bid, "p2", "pending", "2026-12-01T10:00:00.000Z")
    done = _deliverable(bid, "p1", "approved", "2026-12-01T11:00:00.000Z")
    ids = lambda items: [i.deliverable_id for i in items]  # noqa: E731
    assert ids(store.list_page(bid, None, "pending", 10, None)[0]) == [new.deliverable_id, old.deliverable_id]
    assert ids(store.list_page(bid, None, "approved", 10, None)[0]) == [done.deliverable_id]
    assert ids(store.list_page(bid, "p1", None, 10, None)[0]) == [old.deliverable_id, done.deliverable_id]
    assert ids(store.list_page(bid, "p1", "approved", 10, None)[0]) == [done.deliverable_id]
    assert store.list_page(new_id(), None, None, 10, None)[0] == []
