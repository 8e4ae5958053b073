"""The views worker: page opens queued by `services.views.track`, recorded one message at a time."""
from __future__ import annotations

import json
import logging
from typing import Any

from chalicelib.services.portal import view_tracking as views

log = logging.getLogger("paydrop.workers")


def on_view(record: dict[str, Any]) -> None:
    """Record the page open in one SQS record."""
    outcome = views.record(json.loads(str(record["body"])))  # a failure is logged by batch.handle
    log.info("view recorded: %s", outcome)
