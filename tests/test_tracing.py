"""Tracing goes through one module (`chalicelib/tracing.py`), is off outside Lambda, and in Lambda
records Stripe's HTTP calls, which botocore's patch cannot see."""
from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.support.fresh_python import LAMBDA, last_line

ROOT = Path(__file__).resolve().parent.parent


def test_only_the_tracing_module_imports_the_xray_sdk() -> None:
    importers = set()
    for path in [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "aws_xray_sdk" or n.startswith("aws_xray_sdk.") for n in names):
                importers.add(str(path.relative_to(ROOT)))
    assert importers == {"chalicelib/tracing.py"}


def test_outside_lambda_tracing_loads_nothing() -> None:
    code = ("import sys\nfrom chalicelib import tracing\ntracing.start()\nwith tracing.subsegment('Stripe'):\n    pass\n"
            "print('aws_xray_sdk' in sys.modules)")
    assert last_line(code, {}) == "False"  # no AWS_LAMBDA_FUNCTION_NAME


def test_in_lambda_a_stripe_call_is_a_subsegment_of_the_invocation(
        aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from aws_xray_sdk.core import xray_recorder

    from chalicelib import tracing
    from chalicelib.config import reset_settings, settings
    from chalicelib.services.payments import stripe_gateway
    from tests.support.payments import FakeStripeHttp

    monkeypatch.setenv("PAYDROP_SECRET_STRIPE_SECRET_KEY", "sk_test_traced")
    reset_settings()
    stripe_gateway.reset_client()
    monkeypatch.setattr(stripe_gateway, "http_client", FakeStripeHttp())
    lambda_settings = replace(settings(), in_lambda=True)
    monkeypatch.setattr(tracing, "settings", lambda: lambda_settings)
    segment = xray_recorder.begin_segment("paydrop-api", sampling=1)
    try:
        session = stripe_gateway.create_checkout_session({"mode": "payment"}, "idem-1")
        [traced] = [s for s in segment.subsegments if s.name == "Stripe"]
        assert traced.annotations == {"operation": "checkout.sessions.create"}
        assert traced.namespace == "remote" and traced.end_time >= traced.start_time
        assert session.id.startswith("cs_test_")
    finally:
        xray_recorder.clear_trace_entities()
        monkeypatch.undo()
        reset_settings()
        stripe_gateway.reset_client()


def test_in_lambda_an_unsampled_invocation_loads_no_sdk_and_the_first_sampled_one_patches_botocore() -> None:
    """X-Ray records nothing of an invocation Lambda did not sample (`Sampled=0`), so a cold start
    that is not sampled skips the SDK; the next sampled invocation traces every client, old or new."""
    code = (
        "import os, sys\nfrom chalicelib import aws, tracing\n"
        "os.environ['_X_AMZN_TRACE_ID'] = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0'\n"
        "client = aws.client('sqs'); tracing.invocation_started()\n"
        "before = 'aws_xray_sdk' in sys.modules\n"
        "os.environ['_X_AMZN_TRACE_ID'] = 'Root=1-5759e988-bd862e3fe1be46a994272794;Parent=53995c3f42cd8ad9;Sampled=1'\n"
        "tracing.invocation_started()\n"
        "from aws_xray_sdk.core.patcher import _PATCHED_MODULES\n"
        "print(before, sorted(_PATCHED_MODULES), hasattr(type(client)._make_api_call, '__wrapped__'))"
    )
    assert last_line(code, {**LAMBDA, "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR"}) == "False ['botocore'] True"
