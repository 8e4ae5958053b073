"""The page Lambda's cold start: `import app` must not load the heavy libraries that only some
paths need (Stripe, PyJWT/cryptography, X-Ray outside Lambda). Counted, not timed; the
timing is in bench/cold_start.py."""
from __future__ import annotations

import json

from tests.support.fresh_python import LAMBDA, last_line

HEAVY = ("stripe", "jwt", "cryptography", "aws_xray_sdk", "reportlab", "PIL", "pypdfium2", "pi_heif",
         "babel")  # babel: emails only, imported where one is rendered (services/notifications/email_render.py)


def test_importing_the_app_loads_none_of_the_heavy_libraries() -> None:
    code = f"import app, sys, json; print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))"
    assert json.loads(last_line(code)) == []


# Powertools: the API's first request sets up the Logger (JSON logs; the package's __init__ brings
# its Metrics module along, ~6 ms together with warm bytecode, see docs/PERFORMANCE.md "Powertools
# import cost"). Idempotency, Batch and Parameters belong to the workers and to secret reads in Lambda.
WORKERS_ONLY = ("aws_lambda_powertools.utilities.idempotency", "aws_lambda_powertools.utilities.batch",
                "aws_lambda_powertools.utilities.parameters")


def test_importing_the_app_loads_no_powertools() -> None:
    code = "import app, sys; print(sorted(m for m in sys.modules if m.startswith('aws_lambda_powertools')))"
    assert last_line(code) == "[]"


def test_an_api_request_in_lambda_loads_the_logger_and_none_of_the_workers_utilities() -> None:
    code = (
        "import json, sys\nfrom types import SimpleNamespace\nfrom app import app\n"
        "event = {'resource': '/health', 'path': '/health', 'httpMethod': 'GET', "
        "'headers': {'X-Paydrop-Origin-Secret': 'edge-secret'}, "
        "'multiValueHeaders': {}, 'queryStringParameters': None, 'multiValueQueryStringParameters': None, "
        "'pathParameters': None, 'stageVariables': None, "
        "'requestContext': {'resourcePath': '/health', 'httpMethod': 'GET', 'path': '/api/health', "
        "'requestId': 'r-1', 'identity': {'sourceIp': '203.0.113.9'}}, 'body': None, 'isBase64Encoded': False}\n"
        "reply = app(event, SimpleNamespace(aws_request_id='r-1', function_name='api'))\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('aws_lambda_powertools'))\n"
        "print(json.dumps([reply['statusCode'], loaded]))"
    )
    # The origin secret as the stack hands it to the API function (resolved at deploy into its
    # environment): the edge check on every request then needs no SSM call and no Parameters.
    status, loaded = json.loads(last_line(code, {**LAMBDA, "PAYDROP_SECRET_ORIGIN_SECRET": "edge-secret"}))
    assert status == 200
    assert "aws_lambda_powertools.logging.logger" in loaded
    assert [m for m in loaded if m.startswith(WORKERS_ONLY)] == []
