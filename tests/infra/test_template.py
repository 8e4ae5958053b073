"""The infrastructure: `make package` lints clean, the template's IAM stays least-privilege,
and `devstack.provision` builds on moto what the template describes."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "resources.json"
CHALICE_CONFIG = ROOT / ".chalice" / "config.json"
# Which worker Lambda consumes which queue (`@app.on_sqs_message`).
QUEUE_WORKERS = {"StripeEventsQueue": "payments_worker", "UploadsQueue": "previews_worker", "MailQueue": "mail_worker",
                 "ViewsQueue": "views_worker", "MailFeedbackQueue": "mail_feedback_worker",
                 "ExportsQueue": "exports_worker", "InboundMailQueue": "inbound_mail_worker",
                 "WebhooksQueue": "webhooks_worker"}
# The worker functions `chalice package` generates for the app's `@app.on_sqs_message` handlers.
WORKER_FUNCTIONS = {"PaymentsWorker": "payments_worker", "MailWorker": "mail_worker",
                    "PreviewsWorker": "previews_worker", "ViewsWorker": "views_worker",
                    "MailFeedbackWorker": "mail_feedback_worker", "ExportsWorker": "exports_worker",
                    "InboundMailWorker": "inbound_mail_worker", "WebhooksWorker": "webhooks_worker"}
# The functions `@app.schedule` handlers become (EventBridge rules, no queue).
SCHEDULED_FUNCTIONS = {"Scheduler": "scheduler"}
AUTHORIZER = "StaffAuthorizer"  # API Gateway's check of staff credentials (chalicelib/api/staff_authorizer.py)
# Variables the cloud sets through the merge template and the local stack through `as_env`.
APP_VARIABLES = {
    "TABLE_NAME", "FILES_BUCKET", "STRIPE_EVENTS_QUEUE_URL", "UPLOADS_QUEUE_URL", "MAIL_QUEUE_URL", "VIEWS_QUEUE_URL",
    "USER_POOL_ID",
    "USER_POOL_CLIENT_ID", "MAIL_FROM", "MAIL_FEEDBACK_QUEUE_URL", "SES_CONFIGURATION_SET", "PUBLIC_BASE_URL",
    "EXPORTS_QUEUE_URL", "INBOUND_MAIL_QUEUE_URL", "INBOUND_MAIL_BUCKET", "MAIL_INBOUND_DOMAIN",
    "WEBHOOKS_QUEUE_URL",
}
# The only actions allowed on Resource "*": they support no resource-level permissions.
RESOURCELESS_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def template() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text())


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- packaging ---------------------------------------------------------------------------


def test_make_package_succeeds_without_cfn_lint_errors(package_run: subprocess.CompletedProcess[str]) -> None:
    output = package_run.stdout + package_run.stderr
    assert package_run.returncode == 0, output
    assert not re.findall(r"^[EW]\d{4}\b.*$", output, re.MULTILINE), output  # errors and warnings


def test_the_package_ships_every_dashboard_file(packaged: dict[str, Any], package_dir: Path) -> None:
    """`make dev`'s /app/ routes read the static folder from the Lambda bundle: every module must be in it."""
    import zipfile

    static = ROOT / "chalicelib" / "static" / "app"
    on_disk = {f"chalicelib/static/app/{p.relative_to(static).as_posix()}" for p in static.rglob("*") if p.is_file()}
    with zipfile.ZipFile(package_dir / "deployment.zip") as bundle:
        shipped = set(bundle.namelist())
    assert {"chalicelib/static/app/main.js", "chalicelib/static/app/lib/api.js"} <= on_disk
    assert on_disk <= shipped, sorted(on_disk - shipped)


def _queue_of(function_name: str) -> str:
    (queue,) = [queue for queue, worker in QUEUE_WORKERS.items() if worker == function_name]
    return queue


def test_packaged_functions_get_data_permissions_and_settings(packaged: dict[str, Any]) -> None:
    """Every Lambda (API and workers) can reach the data and knows where it is; each worker
    consumes the template's queue, once its role may (DependsOn the policy)."""
    resources = packaged["Resources"]
    roles = resources["AppDataPolicy"]["Properties"]["Roles"]
    functions = {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
    assert {"APIHandler", *WORKER_FUNCTIONS} <= set(functions)
    queue_arns = as_list(next(s for s in statements(resources["AppDataPolicy"]) if s.get("Sid") == "Queues")["Resource"])
    for name, function in functions.items():
        props = function["Properties"]
        role = props["Role"]["Fn::GetAtt"][0]
        # The staff authorizer only reads API keys: its own read-only policy (test below), not the app's.
        assert ({"Ref": role} in roles) != (name == AUTHORIZER), (
            f"add {{'Ref': '{role}'}} to AppDataPolicy.Roles in infra/resources.json")
        # SAM merges Globals (what every function needs, infra/resources.json) with chalice's stage variables.
        variables = {**packaged["Globals"]["Function"]["Environment"]["Variables"],
                     **props.get("Environment", {}).get("Variables", {})}
        missing = APP_VARIABLES - set(variables)
        assert not missing, f"{name} lacks {sorted(missing)}: add them to infra/resources.json (see infra/README.md)"
        assert variables["PAYDROP_STAGE"] == "dev"
        assert props["Tracing"] == "Active"
        sqs_events = [e for e in props.get("Events", {}).values() if e["Type"] == "SQS"]
        if name in ("APIHandler", AUTHORIZER):
            assert not sqs_events
            continue
        if name in SCHEDULED_FUNCTIONS:
            assert not sqs_events and [e["Type"] for e in props["Events"].values()] == ["Schedule"]
            assert "AppDataPolicy" in as_list(function.get("DependsOn", []))
            continue
        # Chalice's own ARN names the literal queue "mail"/"stripe-events"; the merge must replace
        # it whole (same intrinsic key), or the result has two intrinsics in one object.
        queue = _queue_of(props["Handler"].removeprefix("app."))
        (event,) = sqs_events
        assert event["Properties"]["Queue"] == {"Fn::Sub": f"${{{queue}.Arn}}"}, (
            f"{name}: point its SQS event at {queue} (infra/README.md)")
        # Batches with partial failures reported (chalicelib/workers/batch.py): without the response
        # type Lambda ignores the returned batchItemFailures and deletes the whole batch.
        # The exports worker takes one export at a time: one can run for minutes (900 s timeout).
        assert event["Properties"]["BatchSize"] > 1 or name == "ExportsWorker"
        assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], (
            f"{name}: add FunctionResponseTypes next to its Queue in infra/resources.json")
        assert {"Fn::GetAtt": [queue, "Arn"]} in queue_arns, f"AppDataPolicy's Queues statement lacks {queue}"
        assert "AppDataPolicy" in as_list(function.get("DependsOn", [])), (
            f"{name}: add DependsOn AppDataPolicy (the event source mapping needs the permission first)")
    assert set(functions) == {"APIHandler", AUTHORIZER, *WORKER_FUNCTIONS, *SCHEDULED_FUNCTIONS}, (
        "a new worker: add it to WORKER_FUNCTIONS")
    settings = json.loads(CHALICE_CONFIG.read_text())["stages"]["dev"]["lambda_functions"]
    for name, worker in (WORKER_FUNCTIONS | SCHEDULED_FUNCTIONS).items():
        props = functions[name]["Properties"]
        assert props["Handler"] == f"app.{worker}"
        assert (props["MemorySize"], props["Timeout"]) == (
            settings[worker]["lambda_memory_size"], settings[worker]["lambda_timeout"])


def test_staff_routes_are_checked_by_the_staff_authorizer_function(packaged: dict[str, Any]) -> None:
    """API Gateway calls api/staff_authorizer.py (Cognito ID token or live API key) before every staff
    route, caching its answer briefly; the function knows the pool and table and may only read the table."""
    resources = packaged["Resources"]
    body = resources["RestAPI"]["Properties"]["DefinitionBody"]
    [(name, definition)] = body["securityDefinitions"].items()
    authorizer = definition["x-amazon-apigateway-authorizer"]
    assert (name, definition["name"], authorizer["type"]) == ("staff_authorizer", "Authorization", "token")
    assert f"${{{AUTHORIZER}.Arn}}" in authorizer["authorizerUri"]["Fn::Sub"]
    assert 60 <= authorizer["authorizerResultTtlInSeconds"] <= 300
    assert "providerARNs" not in authorizer
    function = resources[AUTHORIZER]["Properties"]
    assert function["Handler"] == "chalicelib.api.staff_authorizer.staff_authorizer"
    variables = {**packaged["Globals"]["Function"]["Environment"]["Variables"], **function["Environment"]["Variables"]}
    # The region (of the pool's JWKS URL) is AWS_REGION, which Lambda sets itself.
    assert {"TABLE_NAME", "USER_POOL_ID", "USER_POOL_CLIENT_ID"} <= set(variables)
    policy = resources["StaffAuthorizerPolicy"]["Properties"]
    assert policy["Roles"] == [{"Ref": function["Role"]["Fn::GetAtt"][0]}]
    [read] = statements(resources["StaffAuthorizerPolicy"])
    assert (read["Action"], read["Resource"]) == (["dynamodb:GetItem"], [{"Fn::GetAtt": ["AppTable", "Arn"]}])
    assert resources["StaffAuthorizerInvokePermission"]["Properties"]["Principal"] == "apigateway.amazonaws.com"
    # Refusals in the app's error shape (devstack/local_auth.py answers the same ones locally).
    responses = resources["RestAPI"]["Properties"]["GatewayResponses"]
    for kind, status, code in (("UNAUTHORIZED", 401, "unauthorized"), ("ACCESS_DENIED", 401, "unauthorized"),
                               ("AUTHORIZER_FAILURE", 503, "unavailable")):
        body = json.loads(responses[kind]["ResponseTemplates"]["application/json"])
        assert (responses[kind]["StatusCode"], body["error"]["code"]) == (status, code), kind
        assert responses[kind]["ResponseParameters"]["Headers"]["Cache-Control"] == "'no-store'"


def test_queue_visibility_is_six_times_the_worker_timeout() -> None:
    config = json.loads(CHALICE_CONFIG.read_text())
    resources = template()["Resources"]
    for stage in config["stages"].values():
        functions = stage.get("lambda_functions", {}) | config.get("lambda_functions", {})
        for queue, worker in QUEUE_WORKERS.items():
            timeout = functions[worker]["lambda_timeout"]
            assert resources[queue]["Properties"]["VisibilityTimeout"] >= 6 * timeout


# --- the dashboard behind CloudFront -------------------------------------------------------

# AWS-managed CloudFront policies (fixed ids, the same in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ALL_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}


def test_distribution_serves_the_dashboard_from_its_bucket_and_everything_else_from_the_api(
        packaged: dict[str, Any]) -> None:
    """One origin for the dashboard and the API (no CORS): `/app` and `/app/*` from the private
    bucket through OAC, every other path (API, client pages, webhooks) to API Gateway's stage."""
    resources = packaged["Resources"]
    config = resources["Distribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    assert set(origins) == {"dashboard", "api"}
    dashboard, api = origins["dashboard"], origins["api"]
    assert dashboard["DomainName"] == {"Fn::GetAtt": ["DashboardBucket", "RegionalDomainName"]}
    assert dashboard["OriginAccessControlId"] == {"Fn::GetAtt": ["DashboardOriginAccessControl", "Id"]}
    assert dashboard["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # OAC, not a legacy OAI
    oac = resources["DashboardOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"], oac["SigningProtocol"]) == ("s3", "always", "sigv4")
    # The API origin is the stage Chalice generates (RestAPI, stage `api`): /api/v1/me → /api/api/v1/me.
    assert api["DomainName"] == {"Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    assert api["OriginPath"] == "/" + resources["RestAPI"]["Properties"]["StageName"]
    assert api["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"

    default = config["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "api"
    assert set(default["AllowedMethods"]) == ALL_METHODS
    # Nothing of the API is cached; every viewer header but Host reaches it (Authorization included:
    # CloudFront forwards it with caching disabled), and API Gateway sees its own host name.
    assert default["CachePolicyId"] == CACHING_DISABLED
    assert default["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert default["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only")

    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(behaviours) == {"/app", "/app/*"}
    for behaviour in behaviours.values():
        assert behaviour["TargetOriginId"] == "dashboard"
        assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
        assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
        assert behaviour["CachePolicyId"] == CACHING_OPTIMIZED  # deploy.sh invalidates /app/* after each upload
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "DashboardHeadersPolicy"}
        assert behaviour["FunctionAssociations"] == [{
            "EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": ["DashboardPathsFunction", "FunctionARN"]}}]


def test_dashboard_bucket_is_private_and_readable_by_this_distribution_only() -> None:
    resources = template()["Resources"]
    bucket = resources["DashboardBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    allow, deny = resources["DashboardBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert allow["Effect"] == "Allow" and allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"  # no ListBucket, no writes
    assert allow["Resource"] == {"Fn::Sub": "${DashboardBucket.Arn}/app/*"}
    assert allow["Condition"]["StringEquals"]["AWS:SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}"}
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_cloudfront_sends_the_dashboard_headers_the_app_sends_locally() -> None:
    from chalicelib.api.dashboard import content_security_policy

    config = template()["Resources"]["DashboardHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    # The files bucket's origins, as boto3 presigns them (global and regional endpoint).
    bucket = "https://${FilesBucket}.s3.${AWS::URLSuffix} https://${FilesBucket}.s3.${AWS::Region}.${AWS::URLSuffix}"
    assert csp == content_security_policy(bucket)
    assert security["ContentSecurityPolicy"]["Override"] is True
    assert security["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert security["ContentTypeOptions"] == {"Override": True}
    custom = {h["Header"]: h["Value"] for h in config["CustomHeadersConfig"]["Items"]}
    assert custom["Cache-Control"] == "no-cache"


def test_cloudfront_function_maps_app_paths_like_the_local_routes() -> None:
    """`/app` → 301 `/app/`; `/app/` → `/app/index.html`; other paths untouched (run by node when present)."""
    code = template()["Resources"]["DashboardPathsFunction"]["Properties"]["FunctionCode"]
    node = shutil.which("node")
    if node is None:
        assert "'/app/index.html'" in code and "statusCode: 301" in code
        return
    script = code + (
        "for (const uri of ['/app', '/app/', '/app/lib/api.js', '/api/v1/me'])"
        " console.log(JSON.stringify(handler({request: {uri: uri, headers: {}}})));")
    lines = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True, timeout=30).stdout.splitlines()
    redirect, index, asset, api = (json.loads(line) for line in lines)
    assert redirect["statusCode"] == 301 and redirect["headers"]["location"]["value"] == "/app/"
    assert index["uri"] == "/app/index.html"
    assert (asset["uri"], api["uri"]) == ("/app/lib/api.js", "/api/v1/me")


def test_deploy_uploads_the_dashboard_to_the_bucket_the_stack_outputs() -> None:
    deploy = (ROOT / "infra" / "deploy.sh").read_text()
    outputs = template()["Outputs"]
    assert 'aws s3 sync chalicelib/static/app "s3://$DASHBOARD_BUCKET/app/"' in deploy
    for name in re.findall(r"\$\(out (\w+)\)", deploy):
        assert name in outputs, name
    assert outputs["DashboardBucketName"] == {"Value": {"Ref": "DashboardBucket"}}
    assert "create-invalidation" in deploy


# --- IAM ---------------------------------------------------------------------------------


def statements(document: Any) -> Iterator[dict[str, Any]]:
    """Every IAM statement anywhere inside `document`."""
    if isinstance(document, dict):
        if "Statement" in document:
            yield from as_list(document["Statement"])
        for value in document.values():
            yield from statements(value)
    elif isinstance(document, list):
        for value in document:
            yield from statements(value)


@pytest.mark.parametrize("source", ["template", "packaged", "policy.json"])
def test_no_wildcard_iam_actions(source: str, request: pytest.FixtureRequest) -> None:
    document = {
        "template": template,
        "packaged": lambda: request.getfixturevalue("packaged"),
        "policy.json": lambda: json.loads((ROOT / ".chalice" / "policy.json").read_text()),
    }[source]()
    found = list(statements(document))
    assert found
    for statement in found:
        assert "NotAction" not in statement, statement
        actions = as_list(statement["Action"])
        assert not {"*", "*:*"} & set(actions), statement
        if statement["Effect"] == "Allow":
            assert not any(a.endswith(":*") for a in actions), statement
            if "*" in as_list(statement.get("Resource")):
                assert set(actions) <= RESOURCELESS_ACTIONS, statement


def test_client_cannot_write_its_own_business() -> None:
    client = template()["Resources"]["StaffUserPoolClient"]["Properties"]
    assert "custom:business_id" in client["ReadAttributes"]
    assert "custom:business_id" not in client["WriteAttributes"]


# --- the local stack ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def local() -> Iterator[tuple[Any, Any]]:
    """(Resources, boto3 client factory) for a fresh moto server provisioned from the template."""
    import boto3
    from moto.server import ThreadedMotoServer

    from devstack.provision import provision

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    resources = provision(f"http://{host}:{port}", stack_name="paydrop-infra-test")
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=resources.endpoint_url)

    yield resources, client
    server.stop()


def test_local_table_matches_template(local: tuple[Any, Any]) -> None:
    resources, client = local
    ddb = client("dynamodb")
    table = ddb.describe_table(TableName=resources.table_name)["Table"]
    assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {"pk": "HASH", "sk": "RANGE"}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    indexes = {gsi["IndexName"]: gsi for gsi in table["GlobalSecondaryIndexes"]}
    assert sorted(indexes) == ["gsi1", "gsi2", "gsi3"]
    for name, gsi in indexes.items():
        assert {k["AttributeName"]: k["KeyType"] for k in gsi["KeySchema"]} == {f"{name}pk": "HASH", f"{name}sk": "RANGE"}
        assert gsi["Projection"]["ProjectionType"] == ("INCLUDE" if name == "gsi3" else "ALL")
    # The scheduler's agenda carries keys and the item type only (store/table.py Gsi3).
    assert indexes["gsi3"]["Projection"]["NonKeyAttributes"] == ["type"]
    ttl = ddb.describe_time_to_live(TableName=resources.table_name)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    backups = ddb.describe_continuous_backups(TableName=resources.table_name)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_local_bucket_is_private_encrypted_versioned(local: tuple[Any, Any]) -> None:
    resources, client = local
    s3, bucket = client("s3"), resources.files_bucket
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (cors,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert set(cors["AllowedMethods"]) == {"GET", "PUT", "POST", "HEAD"}
    assert cors["ExposeHeaders"] == ["ETag"] and cors["MaxAgeSeconds"] == 3000
    lifecycle, exports = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert lifecycle["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 7
    # Access-log exports (CSV files of whole logs) are removed a week after they were made.
    assert exports["Filter"] == {"Prefix": "exports/"} and exports["Expiration"] == {"Days": 7}


def drain(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """S3 event records on the queue (the `s3:TestEvent` of a new configuration left out)."""
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        if not messages.get("Messages"):
            break
        for message in messages["Messages"]:
            body = json.loads(message["Body"])
            records.extend(body.get("Records", []))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return records


def test_local_uploads_prefix_notifies_the_uploads_queue_only(local: tuple[Any, Any]) -> None:
    resources, client = local
    s3, sqs = client("s3"), client("sqs")
    queue_arn = sqs.get_queue_attributes(QueueUrl=resources.uploads_queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    (target,) = s3.get_bucket_notification_configuration(Bucket=resources.files_bucket)["QueueConfigurations"]
    assert target["QueueArn"] == queue_arn
    assert target["Events"] == ["s3:ObjectCreated:*"]
    rules = target["Filter"]["Key"]["FilterRules"]
    assert [(r["Name"].lower(), r["Value"]) for r in rules] == [("prefix", "uploads/")]
    drain(sqs, resources.uploads_queue_url)
    s3.put_object(Bucket=resources.files_bucket, Key="previews/x.webp", Body=b"preview")
    s3.put_object(Bucket=resources.files_bucket, Key="uploads/x.txt", Body=b"upload")
    # Keys arrive URL-encoded (moto even encodes "/"): consumers must unquote_plus them.
    keys = [unquote_plus(r["s3"]["object"]["key"]) for r in drain(sqs, resources.uploads_queue_url)]
    assert keys == ["uploads/x.txt"]
    assert drain(sqs, resources.stripe_events_queue_url) == []


@pytest.mark.parametrize(
    ("queue", "dlq", "worker"),
    [("stripe_events", "stripe_events_dlq", "payments_worker"), ("uploads", "uploads_dlq", "previews_worker"),
     ("mail", "mail_dlq", "mail_worker"), ("views", "views_dlq", "views_worker"),
     ("mail_feedback", "mail_feedback_dlq", "mail_feedback_worker"),
     ("inbound_mail", "inbound_mail_dlq", "inbound_mail_worker"),
     ("webhooks", "webhooks_dlq", "webhooks_worker")],
)
def test_local_queue_redrives_to_its_dlq(local: tuple[Any, Any], queue: str, dlq: str, worker: str) -> None:
    resources, client = local
    sqs = client("sqs")
    config = json.loads(CHALICE_CONFIG.read_text())
    worker_timeout = max(s["lambda_functions"][worker]["lambda_timeout"] for s in config["stages"].values())
    attributes = sqs.get_queue_attributes(
        QueueUrl=getattr(resources, f"{queue}_queue_url"), AttributeNames=["All"]
    )["Attributes"]
    dlq_attributes = sqs.get_queue_attributes(QueueUrl=getattr(resources, f"{dlq}_url"), AttributeNames=["All"])[
        "Attributes"
    ]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dlq_attributes["QueueArn"]
    assert int(redrive["maxReceiveCount"]) == 5
    assert int(attributes["VisibilityTimeout"]) > worker_timeout
    assert int(dlq_attributes["MessageRetentionPeriod"]) == 1209600


def test_local_user_pool_has_business_attribute_roles_and_safe_client(local: tuple[Any, Any]) -> None:
    resources, client = local
    idp = client("cognito-idp")
    pool = idp.describe_user_pool(UserPoolId=resources.user_pool_id)["UserPool"]
    business = {a["Name"]: a for a in pool["SchemaAttributes"]}["custom:business_id"]
    assert business["AttributeDataType"] == "String" and business["Mutable"] is True
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    groups = idp.list_groups(UserPoolId=resources.user_pool_id)["Groups"]
    assert sorted((g["Precedence"], g["GroupName"]) for g in groups) == [
        (0, "owner"), (1, "admin"), (2, "staff"), (3, "viewer"),
    ]
    app_client = idp.describe_user_pool_client(
        UserPoolId=resources.user_pool_id, ClientId=resources.user_pool_client_id
    )["UserPoolClient"]
    assert "custom:business_id" in app_client["ReadAttributes"]
    assert "custom:business_id" not in app_client["WriteAttributes"]
    assert set(app_client["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert "ClientSecret" not in app_client


def test_local_env_covers_what_the_cloud_sets(local: tuple[Any, Any]) -> None:
    resources, _ = local
    env = resources.as_env("dev")
    cloud = set(template()["Globals"]["Function"]["Environment"]["Variables"])
    # Locally the public origin is the dev server's own address, set where it starts (devstack/server.py).
    assert cloud - {"PUBLIC_BASE_URL"} <= set(env)
    assert env["PAYDROP_STAGE"] == "dev"
    assert env["PAYDROP_AWS_ENDPOINT_URL"] == resources.endpoint_url


def test_local_mail_feedback_topic_delivers_ses_events_raw_to_its_queue(local: tuple[Any, Any]) -> None:
    """Bounces and complaints: configuration set → SNS topic → MailFeedbackQueue, the SES event JSON as the body."""
    resources, client = local
    ses, sqs = client("ses"), client("sqs")
    described = ses.describe_configuration_set(ConfigurationSetName=resources.ses_configuration_set,
                                               ConfigurationSetAttributeNames=["eventDestinations"])
    (destination,) = described["EventDestinations"]
    assert sorted(destination["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert destination["SNSDestination"]["TopicARN"] == resources.mail_feedback_topic_arn
    event = json.loads((ROOT / "tests" / "events" / "ses" / "bounce.json").read_text())
    client("sns").publish(TopicArn=resources.mail_feedback_topic_arn, Message=json.dumps(event))
    reply = sqs.receive_message(QueueUrl=resources.mail_feedback_queue_url, WaitTimeSeconds=5)
    (message,) = reply["Messages"]
    assert json.loads(message["Body"]) == event
    sqs.delete_message(QueueUrl=resources.mail_feedback_queue_url, ReceiptHandle=message["ReceiptHandle"])


def test_local_inbound_mail_rule_stores_replies_where_the_bucket_notifies_the_inbound_queue(
        local: tuple[Any, Any]) -> None:
    """Email replies: SES receipt rule (S3 action, `inbound/`) → bucket notification → InboundMailQueue."""
    resources, client = local
    ses, s3, sqs = client("ses"), client("s3"), client("sqs")
    rule_sets = ses.list_receipt_rule_sets()["RuleSets"]
    [rule] = [r for s in rule_sets for r in ses.describe_receipt_rule_set(RuleSetName=s["Name"])["Rules"]
              if r["Name"] == "paydrop-infra-test-InboundReceiptRule"]  # moto's SES is one per process
    assert rule["Recipients"] == [resources.mail_inbound_domain]
    [action] = rule["Actions"]
    assert action["S3Action"] == {"BucketName": resources.inbound_mail_bucket, "ObjectKeyPrefix": "inbound/"}
    assert rule["ScanEnabled"] and rule["TlsPolicy"] == "Require"
    drain(sqs, resources.inbound_mail_queue_url)
    s3.put_object(Bucket=resources.inbound_mail_bucket, Key="elsewhere/x", Body=b"not mail")
    s3.put_object(Bucket=resources.inbound_mail_bucket, Key="inbound/abc", Body=b"From: a@b.test")
    keys = [unquote_plus(r["s3"]["object"]["key"]) for r in drain(sqs, resources.inbound_mail_queue_url)]
    assert keys == ["inbound/abc"]
    block = s3.get_public_access_block(Bucket=resources.inbound_mail_bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
