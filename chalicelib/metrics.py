"""Business metrics, as CloudWatch Embedded Metric Format (EMF) through Powertools Metrics.

Namespace `Paydrop`, dimensions `stage` and `service` (`paydrop`), unit Count. The names:

| metric | counted where, when |
|---|---|
| PaymentsApplied | services/billing/ledger.py `reconcile`: an invoice's amount paid went up |
| GrantsReleased / GrantsRevoked | delivery/unlock.py (payment), grants.py (staff): a saved grant became available / revoked |
| DownloadsAllowed / DownloadsDenied | services/delivery/downloads.py `redeem`: the decision, as logged |
| EmailsSent | services/notifications/mail.py `send`: SES accepted the message |
| EmailsBounced | notifications/suppressions.py `record_feedback`: an address suppressed by a hard bounce or complaint |
| PreviewsMade / PreviewsFailed | services/delivery/previews/make.py: previews recorded ready / failed |

`count()` is called by the service at the moment the thing happens; it only adds to a counter in
memory. `flush()` runs at the end of every invocation (`chalicelib.observability`) and prints one
EMF JSON line to stdout: Lambda hands it to CloudWatch Logs, which makes the metrics. No API call,
no added latency. Powertools Metrics is imported by `flush()` only, when there is something to
emit, so `import app` (the API's cold start) does not pay for it.
POWERTOOLS_METRICS_DISABLED=true silences the output (e.g. a quiet local stack).
"""
from __future__ import annotations

import threading
from collections import Counter
from functools import lru_cache
from typing import Any

from chalicelib.config import settings

NAMESPACE = "Paydrop"
SERVICE = "paydrop"

PAYMENTS_APPLIED = "PaymentsApplied"
GRANTS_RELEASED = "GrantsReleased"
GRANTS_REVOKED = "GrantsRevoked"
DOWNLOADS_ALLOWED = "DownloadsAllowed"
DOWNLOADS_DENIED = "DownloadsDenied"
EMAILS_SENT = "EmailsSent"
EMAILS_BOUNCED = "EmailsBounced"
PREVIEWS_MADE = "PreviewsMade"
PREVIEWS_FAILED = "PreviewsFailed"
NAMES = frozenset({PAYMENTS_APPLIED, GRANTS_RELEASED, GRANTS_REVOKED, DOWNLOADS_ALLOWED, DOWNLOADS_DENIED,
                   EMAILS_SENT, EMAILS_BOUNCED, PREVIEWS_MADE, PREVIEWS_FAILED})

_counts: Counter[str] = Counter()
_lock = threading.Lock()  # the payments worker's race tests (and `make dev`) count from several threads


def count(name: str, value: int = 1) -> None:
    """Count `value` occurrences of `name` (one of NAMES) in this invocation."""
    if name not in NAMES:
        raise ValueError(f"unknown metric {name!r}")  # a typo would make a metric nobody alarms on
    with _lock:
        _counts[name] += value


def flush() -> None:
    """Emit what was counted since the last flush, as one EMF line; nothing when nothing was."""
    with _lock:
        counts = {name: n for name, n in _counts.items() if n}
        _counts.clear()
        if not counts:
            return
        from aws_lambda_powertools.metrics import MetricUnit

        emitter = _emitter()
        emitter.add_dimension(name="stage", value=settings().stage)
        for name, value in sorted(counts.items()):
            emitter.add_metric(name=name, unit=MetricUnit.Count, value=value)
        emitter.flush_metrics()
        emitter.clear_metrics()  # flush does not clear when metrics are disabled: memory stays flat


@lru_cache(maxsize=1)
def _emitter() -> Any:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace=NAMESPACE, service=SERVICE)
