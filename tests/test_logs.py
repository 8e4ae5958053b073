"""Logs as Lambda writes them: INFO lines appear (Chalice set `paydrop` to ERROR and dropped them),
one JSON object per line, and the API request id follows the work through SQS into the workers.

The app runs in a fresh interpreter with Lambda's environment (`AWS_LAMBDA_FUNCTION_NAME` set), as
a cold container would import it: the bug was in how the app is built, so an in-process test that
imports `app` once for the whole session could not have caught it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.events import event

ROOT = Path(__file__).resolve().parent.parent
_RUN = """
import json, sys
from types import SimpleNamespace
from app import app
name, event = sys.argv[1], json.load(sys.stdin)
context = SimpleNamespace(aws_request_id="lambda-request", function_name=name, memory_limit_in_mb=256,
                          invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:" + name,
                          get_remaining_time_in_millis=lambda: 30_000)
handler = app if name == "api" else app.handler_map[name]
reply = handler(event, context)
print("REPLY " + json.dumps({k: v for k, v in (reply or {}).items() if k != "body"}))
"""


def run_in_lambda(function: str, lambda_event: dict[str, Any], **env: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Invoke `function` ("api" or a worker's name) in a new interpreter with Lambda's environment;
    returns its reply and the JSON objects it printed (log lines and EMF metrics)."""
    environment = {**os.environ, "AWS_LAMBDA_FUNCTION_NAME": f"paydrop-test-{function}",
                   "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR", **env}
    for name in ("LOG_LEVEL", "POWERTOOLS_LOG_LEVEL", "POWERTOOLS_METRICS_DISABLED"):
        if name not in env:
            environment.pop(name, None)
    done = subprocess.run([sys.executable, "-c", _RUN, function], input=json.dumps(lambda_event), cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    reply = json.loads(next(line for line in lines if line.startswith("REPLY "))[6:])
    printed = [json.loads(line) for line in lines if not line.startswith("REPLY ")]  # every line is JSON
    return reply, printed


def page_open(path: str, request_id: str) -> dict[str, Any]:
    token = path.rsplit("/", 1)[1]
    return event("apigateway/get_invoice", path=f"/invoice/{token}", pathParameters={"token": token},
                 requestContext={"path": f"/api/invoice/{token}", "requestId": request_id})


def test_a_page_open_is_logged_by_the_views_worker_under_the_api_request_id(tenant: Any, views_worker: Any) -> None:
    from chalicelib.aws import sqs
    from devstack.pump import lambda_event
    from tests.support.replies import invoice_path

    path = invoice_path(tenant.share(tenant.invoice()["id"]))
    reply, _ = run_in_lambda("api", page_open(path, "req-7f3a-page-open"))
    assert reply["statusCode"] == 200

    # The API queued the open with its request id as the message's correlation id ...
    url = views_worker.queue_url
    arn = sqs().get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    messages = sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])["Messages"]
    assert [m["MessageAttributes"]["correlation_id"]["StringValue"] for m in messages] == ["req-7f3a-page-open"]

    # ... and the views worker, a cold Lambda of its own, logs its INFO line under that id, as JSON.
    reply, printed = run_in_lambda("views_worker", lambda_event(messages, arn))
    assert reply == {"batchItemFailures": []}
    [line] = [p for p in printed if str(p.get("message", "")).startswith("view recorded")]
    assert line["level"] == "INFO" and line["service"] == "paydrop"
    assert line["correlation_id"] == "req-7f3a-page-open"
    assert line["message"] == "view recorded: counted"
    views_worker.discard()


def test_an_email_sent_by_the_mail_worker_is_logged_and_counted(outbox: Any) -> None:
    """tests/events/sqs/mail.json: a queued email whose message names the request that queued it."""
    reply, printed = run_in_lambda("mail_worker", event("sqs/mail"))
    assert reply == {"batchItemFailures": []}
    [line] = [p for p in printed if str(p.get("message", "")).startswith("sent mail")]
    assert (line["level"], line["correlation_id"]) == ("INFO", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
    assert line["message"].startswith("sent mail to *@acme.test")  # never the full address
    [emf] = [p for p in printed if "_aws" in p]
    assert emf["EmailsSent"] == [1.0] and emf["stage"] and emf["service"] == "paydrop"
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Paydrop"
    assert [m.subject for m in outbox.to("ada@acme.test")] == ["Your files"]


def test_the_level_comes_from_the_environment(outbox: Any) -> None:
    _, printed = run_in_lambda("mail_worker", event("sqs/mail"), LOG_LEVEL="WARNING")
    assert not [p for p in printed if "message" in p and p.get("level") == "INFO"]
    _, printed = run_in_lambda("mail_worker", event("sqs/mail"), POWERTOOLS_LOG_LEVEL="DEBUG", LOG_LEVEL="WARNING")
    assert [p for p in printed if str(p.get("message", "")).startswith("sent mail")]
