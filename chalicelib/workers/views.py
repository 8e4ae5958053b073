"""The views worker: page opens queued by `services.views.track`, recorded one per invocation."""
from __future__ import annotations

import json
import logging
from typing import Any

from chalicelib.services.portal import view_tracking as views

log = logging.getLogger("paydrop.workers")


def on_view(event: Any) -> None:
    for record in event:
        try:
            outcome = views.record(json.loads(record.body))
        except Exception as e:
            log.warning("view message %s failed, SQS will retry it: %s", record.to_dict().get("messageId", "?"),
                        type(e).__name__)
            raise
        log.info("view recorded: %s", outcome)
