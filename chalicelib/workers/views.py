"""The views worker: page opens queued by `services.views.track`, recorded one message at a time."""
from __future__ import annotations

import json
import logging
from typing import Any

from chalicelib.services.portal import view_tracking as views
from chalicelib.workers.batch import message_id

log = logging.getLogger("paydrop.workers")


def on_view(record: dict[str, Any]) -> None:
    """Record the page open in one SQS record."""
    try:
        outcome = views.record(json.loads(str(record["body"])))
    except Exception as e:
        log.warning("view message %s failed, SQS will retry it: %s", message_id(record), type(e).__name__)
        raise
    log.info("view recorded: %s", outcome)
