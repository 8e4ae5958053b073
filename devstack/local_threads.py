"""One request per thread for the app served locally.

Chalice keeps the request it is handling on the app object (`app.current_request`, with
`app.lambda_context`), which every view and middleware reads. That is right in Lambda, which
hands a container one event at a time, and wrong wherever one process handles requests on
several threads at once: `make dev`'s threaded local server and the concurrency tests. There a
second request taken in before the first one's view runs replaces it, and the first view reads
the other browser's headers: its User-Agent (two clients counted as one, so a download limit
let two through), its cookies (another client's session). Here each thread has its own.
Used by the dev server and the tests, never shipped to Lambda.
"""
from __future__ import annotations

import threading
from typing import Any

_PER_THREAD = ("current_request", "lambda_context")


class _Handling(threading.local):
    current_request: Any = None
    lambda_context: Any = None


def _per_thread(name: str, handling: _Handling) -> property:
    return property(lambda _app: getattr(handling, name),
                    lambda _app, value: setattr(handling, name, value))


def requests_per_thread(app: Any) -> None:
    """Make `app.current_request` and `app.lambda_context` this thread's (idempotent)."""
    cls = type(app)
    if getattr(cls, "_paydrop_per_thread", False):
        return
    handling = _Handling()
    attributes: dict[str, Any] = {name: _per_thread(name, handling) for name in _PER_THREAD}
    app.__class__ = type(cls.__name__, (cls,), {**attributes, "_paydrop_per_thread": True,
                                                "__module__": cls.__module__})
    for name in _PER_THREAD:
        app.__dict__.pop(name, None)  # the class's per-thread property answers from now on
