"""The app's one middleware (`app.register_middleware(observability.middleware, "all")`):
around every invocation, API request or SQS batch, it

- sets up the logs on the first one (`chalicelib.logs.configure`: nothing happens at import);
- starts X-Ray's botocore tracing on the first one Lambda samples (`chalicelib.tracing.invocation_started`);
- for an API request, makes API Gateway's request id the correlation id (a new id when there is
  none, as under `chalice local`); for other events (a schedule) Lambda's request id; SQS workers
  then set it per message (`chalicelib.workers.batch`);
- after it, emits the metrics it counted (`chalicelib.metrics.flush`), even when it failed.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib import logs, metrics, tracing


def middleware(event: Any, get_response: Callable[[Any], Any]) -> Any:
    logs.configure()
    tracing.invocation_started()
    request_context = getattr(event, "context", None)
    if isinstance(request_context, dict):  # an API request (Chalice's Request); other events carry Lambda's context
        logs.set_correlation_id(str(request_context.get("requestId") or logs.new_correlation_id()))
    else:
        logs.set_correlation_id(str(getattr(request_context, "aws_request_id", "") or logs.new_correlation_id()))
    try:
        return get_response(event)
    finally:
        metrics.flush()
        logs.set_correlation_id(None)
