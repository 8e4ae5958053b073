"""Webhook messages: an event to fan out to its endpoints, or one delivery attempt (services/developer)."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.services.developer import deliveries


def on_message(record: dict[str, Any]) -> None:
    deliveries.on_message(json.loads(record["body"]))
