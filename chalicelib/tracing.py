"""Tracing: everything X-Ray goes through this module (tests/test_tracing.py fails on any other
import of `aws_xray_sdk`).

The stack traces with the AWS X-Ray SDK for Python (`aws-xray-sdk`): Lambda active tracing
(`"xray": true` in .chalice/config.json) opens the segment of each invocation, and this module adds

- every botocore call (boto3 and PynamoDB alike: DynamoDB, S3, SQS, SES, SSM) as a subsegment,
  by patching botocore the first time an AWS client is made (`start()`, from chalicelib/aws.py);
- Stripe's HTTP calls, which go through Stripe's own HTTP client rather than botocore, as
  subsegments named `Stripe` (`subsegment()`, around each call in services/payments/stripe_gateway.py).

The X-Ray SDK is in maintenance mode since 2026-02-25 and its support ends on 2027-02-25. Moving to
OpenTelemetry (the AWS Distro for OpenTelemetry layer, exporting to X-Ray) is this one file: `start()`
becomes the OTel SDK's botocore instrumentation, `subsegment()` a span; nothing else names X-Ray.

Nothing happens at import, and outside Lambda nothing happens at all: a local run needs no daemon
and `import app` never loads the SDK (it costs ~300 ms outside Lambda's environment).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from chalicelib.config import settings, trace_header


def enabled() -> bool:
    return settings().in_lambda


_patched = False
_wanted = False  # an AWS client exists: patch on the first sampled invocation


def sampled() -> bool:
    """Whether X-Ray records the current invocation: Lambda decides, and says `Sampled=0` in the
    trace header when it does not (no header, or no decision: treated as sampled)."""
    return "Sampled=0" not in trace_header()


def start() -> None:
    """Trace every botocore call from now on (in Lambda only; once per container). Called when
    the first AWS client is made, then before every invocation (`invocation_started()`): an
    invocation X-Ray does not record needs no subsegments, so an unsampled cold start does not
    load the SDK (~10 ms of CPU, 92 modules: docs/PERFORMANCE.md); the first sampled one patches botocore,
    which covers the clients made before it too (the patch is on botocore's client class)."""
    global _patched, _wanted
    _wanted = True
    if _patched or not enabled() or not sampled():
        return
    from aws_xray_sdk.core import patch

    patch(["botocore"])
    _patched = True


def invocation_started() -> None:
    """Before each invocation (`chalicelib.observability`): patch now if an AWS client was made
    while unsampled and this invocation is sampled. Before any client, nothing (as at import)."""
    if _wanted and not _patched:
        start()


@contextmanager
def subsegment(name: str, **annotations: str) -> Iterator[None]:
    """Time the block as a subsegment `name` of the invocation's trace, with searchable
    `annotations`; an exception in the block is recorded on it (and propagates)."""
    if not enabled():
        yield
        return
    from aws_xray_sdk.core import xray_recorder

    with xray_recorder.in_subsegment(name) as traced:
        if traced is not None:  # None when there is no segment (context missing)
            traced.namespace = "remote"
            for key, value in annotations.items():
                traced.put_annotation(key, value)
        yield


def reset() -> None:
    """Forget that tracing started (tests point the process at a new endpoint)."""
    global _patched, _wanted
    _patched = _wanted = False
