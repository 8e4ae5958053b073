"""The exports worker: writes the CSV files `services.delivery.access_log_export.start` queued.

Batch size 1 and a long timeout (.chalice/config.json): one export of a million rows takes
minutes. An error marks the export failed (the dashboard says so), then propagates: SQS
retries the message after the visibility timeout, the retry starts the file over, and after
the queue's maxReceiveCount the message goes to the dead-letter queue.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from chalicelib.services.delivery import access_log_export

log = logging.getLogger("paydrop.workers")


def on_export(record: dict[str, Any]) -> None:
    """Write the export named in one SQS record."""
    outcome = access_log_export.run(json.loads(str(record["body"])))  # a failure is logged by batch.handle
    log.info("export done: %s", outcome)
