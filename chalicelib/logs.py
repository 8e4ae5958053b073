"""Logs: every `paydrop.*` line at the level the environment asks for, with a correlation id.

Why this module exists: `Chalice(app_name="paydrop")` configures the `paydrop` logger itself and,
with debug off, sets it to ERROR, so every INFO and WARNING line of `paydrop.*` vanished in Lambda.
The app is built with `configure_logs=False` and `configure()` (run on the first invocation, by
`chalicelib.observability`) sets the level from POWERTOOLS_LOG_LEVEL or LOG_LEVEL (INFO by default).

- In Lambda: Powertools Logger (service `paydrop`): one JSON object per line, with `level`,
  `service`, `message`, `correlation_id` and, for errors, the traceback. Modules keep using
  `logging.getLogger("paydrop.<area>")`: their records propagate to the `paydrop` logger's handler.
- Locally (`make dev`, tests): the level only; lines go to whatever handler the process set up.

The correlation id is the API request id (API Gateway's `requestId`); every SQS message carries it
(`chalicelib.queues`, attribute `correlation_id`) and the workers put it back for each message, so
one id follows a payment from the webhook to the receipt email.
"""
from __future__ import annotations

import logging
import uuid
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from chalicelib.config import settings

SERVICE = "paydrop"
CORRELATION_ATTRIBUTE = "correlation_id"  # the SQS message attribute (agreed name across the project)

_correlation: ContextVar[str | None] = ContextVar("paydrop_correlation_id", default=None)
_powertools: list[Any] = []  # the Powertools Logger, once configured in Lambda


@lru_cache(maxsize=1)
def configure() -> None:
    """Set up the `paydrop` logger once per container (idempotent)."""
    s = settings()
    if s.in_lambda:
        from aws_lambda_powertools import Logger

        _powertools.append(Logger(service=SERVICE, level=s.log_level, use_rfc3339=True))
    else:
        logging.getLogger(SERVICE).setLevel(s.log_level)


def new_correlation_id() -> str:
    return str(uuid.uuid4())


def correlation_id() -> str | None:
    """The id of the request or message being handled now (None outside of one)."""
    return _correlation.get()


def set_correlation_id(value: str | None) -> None:
    """Make `value` the correlation id of what runs from now on (and of its log lines)."""
    _correlation.set(value)
    for logger in _powertools:
        logger.set_correlation_id(value)


def reset() -> None:
    """Forget the configuration (tests that switch between local and Lambda behaviour)."""
    _powertools.clear()
    configure.cache_clear()
