"""A project with milestones for a client, made through the staff API."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def make_project(tenant: Any, client_id: str, name: str = "Website relaunch", **fields: Any) -> dict[str, Any]:
    reply = tenant.api.post("/api/v1/projects", {"client_id": client_id, "name": name, **fields})
    assert reply.status == 201, reply.body
    return reply.json  # type: ignore[no-any-return]


def add_milestone(tenant: Any, project_id: str, title: str, **fields: Any) -> dict[str, Any]:
    reply = tenant.api.post(f"/api/v1/projects/{project_id}/milestones", {"title": title, **fields})
    assert reply.status == 201, reply.body
    return reply.json  # type: ignore[no-any-return]


def inbox(business_id: str, recipient: str) -> list[Any]:
    """The notifications `recipient` (`staff`, or a contact's recipient id) has, newest first."""
    from chalicelib.store.notifications import list_inbox

    return list_inbox(business_id, recipient, 100, None)[0]


def race(n: int, action: Callable[[], Any]) -> list[Any]:
    """`action` on n threads released together; their results (or exceptions)."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = action()
        except Exception as e:  # the race's loser is part of the result
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
