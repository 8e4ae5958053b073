"""Two staff edits of one resource at once: one lands, the other is told (409), nothing is lost.

The race runs the PATCH's use case on two threads (Chalice's test client keeps the current
request on the app object, so two HTTP calls cannot share it); `Conflict` is what
`api/http.py` answers with 409.
"""
from __future__ import annotations

import threading
from typing import Any

import pytest

from chalicelib.domain.errors import Conflict
from chalicelib.domain.inputs import ResourceUpdate
from chalicelib.services.delivery import resources
from chalicelib.services.identity.staff_auth import verify_id_token
from chalicelib.store import resources as store


@pytest.fixture
def reads_meet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both requests read the resource before either writes (the window a real race hits)."""
    barrier = threading.Barrier(2, timeout=30)
    real = store.get_resource
    waiting = [2]

    def read_then_wait(business_id: str, resource_id: str) -> store.Resource | None:
        found = real(business_id, resource_id)
        if waiting[0] > 0:
            waiting[0] -= 1
            barrier.wait()
        return found

    monkeypatch.setattr(store, "get_resource", read_then_wait)


def _edit_together(principal: Any, resource_id: str, titles: list[str]) -> list[Any]:
    results: list[Any] = [None] * len(titles)

    def run(i: int) -> None:
        try:
            results[i] = resources.update_resource(principal, resource_id, ResourceUpdate(title=titles[i]))
        except Exception as e:
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(titles))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_concurrent_edits_one_200_one_409_and_the_winner_is_kept(tenant: Any, reads_meet: None) -> None:
    created = tenant.api.post("/api/v1/resources", {"kind": "link", "title": "Manual", "url": "https://example.com/m"})
    rid = created.json["resource"]["resource_id"]
    results = _edit_together(verify_id_token(tenant.api.token), rid, ["Ada's title", "Grace's title"])
    winners = [r for r in results if isinstance(r, store.Resource)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "changed at the same time" in losers[0].message
    stored = tenant.api.get(f"/api/v1/resources/{rid}").json
    assert stored["title"] == winners[0].title


def test_edits_one_after_the_other_are_all_written(tenant: Any) -> None:
    # Sequential writes never conflict: each edit reads the version it writes over.
    created = tenant.api.post("/api/v1/resources", {"kind": "link", "title": "Manual", "url": "https://example.com/m"})
    rid = created.json["resource"]["resource_id"]
    assert tenant.api.patch(f"/api/v1/resources/{rid}", {"title": "One"}).status == 200
    assert tenant.api.patch(f"/api/v1/resources/{rid}", {"description": "Two"}).status == 200
    stored = store.get_resource(tenant.business_id, rid)
    assert stored is not None and (stored.title, stored.description) == ("One", "Two")
