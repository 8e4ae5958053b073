"""The packaged stack as CloudFormation would run it: `make package`'s SAM template translated by
`aws-sam-translator` (what the `AWS::Serverless-2016-10-31` transform does in the cloud), linted,
created in moto's CloudFormation, and checked for what makes failures visible (alarms, log
groups, access logs, tracing)."""
from __future__ import annotations

import copy
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Not the region of the session's local stack (tests/conftest.py): moto's backends are per account
# and region and shared by every moto server in this process, so the two stacks stay apart.
REGION = "eu-west-1"
ARTIFACTS = "paydrop-artifacts-test"
STACK = "paydrop-dev"

# Resource types moto's CloudFormation cannot create, each with the reason. Everything else in the
# translated template must be created by moto: a new type fails the test until it is listed here
# (and then checked another way: devstack/provision.py builds Cognito and SES on moto's own APIs,
# tests/infra/test_template.py checks the CloudFront and IAM documents statically).
NOT_CREATED_BY_MOTO = {
    "AWS::ApiGateway::Account": "no CloudFormation model in moto (an account-wide setting)",
    "AWS::ApiGateway::Deployment": "moto's RestApi model ignores Body (the OpenAPI definition), so a "
                                   "deployment of it fails with 'The REST API doesn't contain any methods'",
    "AWS::ApiGateway::Stage": "no CloudFormation model in moto; its settings are checked in the template below",
    "AWS::CloudFront::Distribution": "no CloudFormation model in moto",
    "AWS::CloudFront::Function": "no CloudFormation model in moto",
    "AWS::CloudFront::OriginAccessControl": "no CloudFormation model in moto",
    "AWS::CloudFront::ResponseHeadersPolicy": "no CloudFormation model in moto",
    "AWS::CloudWatch::Alarm": "no CloudFormation model in moto; alarms are checked in the template below",
    "AWS::Cognito::UserPool": "no CloudFormation model in moto (devstack/provision.py creates it through the API)",
    "AWS::Cognito::UserPoolClient": "no CloudFormation model in moto (devstack/provision.py creates it)",
    "AWS::Cognito::UserPoolGroup": "no CloudFormation model in moto (devstack/provision.py creates them)",
    "AWS::S3::BucketPolicy": "no CloudFormation model in moto (and moto does not enforce it)",
    "AWS::SES::ConfigurationSet": "no CloudFormation model in moto (devstack/provision.py creates it)",
    "AWS::SES::ConfigurationSetEventDestination": "no CloudFormation model in moto (devstack/provision.py creates it)",
    "AWS::SES::EmailIdentity": "no CloudFormation model in moto (devstack/provision.py verifies it)",
    "AWS::SES::ReceiptRule": "no CloudFormation model in moto (devstack/provision.py creates it through the API)",
    "AWS::SES::ReceiptRuleSet": "no CloudFormation model in moto (devstack/provision.py creates it through the API)",
    "AWS::SNS::Subscription": "no CloudFormation model in moto (devstack/provision.py subscribes the feedback queue)",
    "AWS::SNS::TopicPolicy": "no CloudFormation model in moto (and moto does not enforce it)",
    "AWS::SQS::QueuePolicy": "no CloudFormation model in moto (and moto does not enforce it)",
}
PARAMETERS = {"MailDomain": "mail.example.com", "AlarmEmail": "ops@example.com", "OriginSecret": "s" * 40,
              "PublicBaseUrl": "https://d111111abcdef8.cloudfront.net"}


@pytest.fixture(scope="module")
def translated(packaged: dict[str, Any]) -> dict[str, Any]:
    """The packaged template as plain CloudFormation, its code where `aws cloudformation package` puts it."""
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    sam = copy.deepcopy(packaged)
    for resource in sam["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = f"s3://{ARTIFACTS}/deployment.zip"
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=REGION))
    return translator.translate(sam, parameter_values={}, get_managed_policy_map=dict)  # type: ignore[no-any-return]


def test_translated_template_lints_clean(translated: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "cloudformation.json"
    path.write_text(json.dumps(translated))
    lint = subprocess.run([str(ROOT / ".venv" / "bin" / "cfn-lint"), str(path)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr


# --- moto's CloudFormation ----------------------------------------------------------------

_SUB_VARIABLE = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}")


def _stand_in(name: str, attribute: str | None = None) -> str:
    """What a reference to a resource moto cannot create becomes: an ARN-shaped string naming it."""
    return f"arn:aws:not-created:{REGION}:123456789012:{name}" + (f"/{attribute}" if attribute else "")


def _without(value: Any, gone: set[str]) -> Any:
    """`value` with every Ref / GetAtt / ${…} of a resource in `gone` replaced by its stand-in."""
    if isinstance(value, list):
        return [_without(item, gone) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref" and arg in gone:
            return _stand_in(arg)
        if key == "Fn::GetAtt":
            name, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
            if name in gone:
                return _stand_in(name, attribute)
        if key == "Fn::Sub":
            text, variables = (arg, None) if isinstance(arg, str) else arg
            text = _SUB_VARIABLE.sub(
                lambda m: _stand_in(m.group(1), m.group(2)) if m.group(1) in gone else m.group(0), text)
            return {key: text if variables is None else [text, _without(variables, gone)]}
    return {key: _without(item, gone) for key, item in value.items()}


def creatable(template: dict[str, Any]) -> dict[str, Any]:
    """`template` less the resources of NOT_CREATED_BY_MOTO, references to them stood in for."""
    gone = {name for name, r in template["Resources"].items() if r["Type"] in NOT_CREATED_BY_MOTO}
    resources = {}
    for name, resource in template["Resources"].items():
        if name in gone:
            continue
        resource = _without(resource, gone)
        depends = resource.pop("DependsOn", [])
        depends = [d for d in ([depends] if isinstance(depends, str) else depends) if d not in gone]
        if depends:
            resource["DependsOn"] = depends
        resources[name] = resource
    return {**template, "Resources": resources, "Outputs": _without(template["Outputs"], gone)}


def test_moto_creates_every_type_not_listed(translated: dict[str, Any]) -> None:
    from moto.cloudformation.parsing import get_model_map

    types = {r["Type"] for r in translated["Resources"].values()}
    unknown = types - set(get_model_map()) - set(NOT_CREATED_BY_MOTO)
    assert not unknown, f"moto's CloudFormation cannot create {sorted(unknown)}: list each in NOT_CREATED_BY_MOTO with why"
    stale = set(NOT_CREATED_BY_MOTO) - types
    assert not stale, f"NOT_CREATED_BY_MOTO lists types the template no longer has: {sorted(stale)}"


@pytest.fixture(scope="module")
def stack(translated: dict[str, Any], package_dir: Path) -> Iterator[tuple[dict[str, str], Any]]:
    """(outputs, boto3 client factory) of the stack created in moto's CloudFormation.

    A moto server, not `mock_aws`: starting `mock_aws` resets moto's in-process backends, which
    would wipe the session's local stack that other tests in this worker use."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=f"http://{host}:{port}")

    client("s3").create_bucket(Bucket=ARTIFACTS, CreateBucketConfiguration={"LocationConstraint": REGION})
    client("s3").upload_file(str(package_dir / "deployment.zip"), ARTIFACTS, "deployment.zip")
    cloudformation = client("cloudformation")
    cloudformation.create_stack(
        StackName=STACK, TemplateBody=json.dumps(creatable(translated)), Capabilities=["CAPABILITY_IAM"],
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in PARAMETERS.items()])
    (described,) = cloudformation.describe_stacks(StackName=STACK)["Stacks"]
    assert described["StackStatus"] == "CREATE_COMPLETE", described.get("StackStatusReason")
    yield {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}, client
    server.stop()


def _functions(client: Any) -> dict[str, dict[str, Any]]:
    """Created Lambda functions by logical id (moto names them `<stack>-<logical id>-<suffix>`)."""
    return {f["FunctionName"].split("-")[2]: f for f in client("lambda").list_functions()["Functions"]}


def test_stack_creates_functions_that_find_the_stack(stack: tuple[dict[str, str], Any],
                                                      translated: dict[str, Any]) -> None:
    outputs, client = stack
    functions = _functions(client)
    expected = {n for n, r in translated["Resources"].items() if r["Type"] == "AWS::Lambda::Function"}
    assert set(functions) == expected
    for name, function in functions.items():
        variables = function["Environment"]["Variables"]
        assert variables["TABLE_NAME"] == outputs["TableName"], name
        assert variables["MAIL_QUEUE_URL"] == outputs["MailQueueUrl"], name
        assert variables["MAIL_FEEDBACK_QUEUE_URL"] == outputs["MailFeedbackQueueUrl"], name
        # No custom domain given: links name the distribution, as the previous deploy output it.
        assert variables["PUBLIC_BASE_URL"] == PARAMETERS["PublicBaseUrl"], name
        assert variables["MAIL_FROM"].startswith("Paydrop <no-reply@"), name
        assert variables["PAYDROP_STAGE"] == "dev"


def test_stack_wires_each_worker_to_its_queue(stack: tuple[dict[str, str], Any]) -> None:
    outputs, client = stack
    sqs = client("sqs")
    arn = {url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
           for key, url in outputs.items() if key.endswith("QueueUrl")}
    functions = {f["FunctionArn"]: name for name, f in _functions(client).items()}
    wired = {functions[m["FunctionArn"]]: m["EventSourceArn"]
             for m in client("lambda").list_event_source_mappings()["EventSourceMappings"]}
    assert wired == {
        "PaymentsWorker": arn[outputs["StripeEventsQueueUrl"]], "MailWorker": arn[outputs["MailQueueUrl"]],
        "PreviewsWorker": arn[outputs["UploadsQueueUrl"]], "ViewsWorker": arn[outputs["ViewsQueueUrl"]],
        "MailFeedbackWorker": arn[outputs["MailFeedbackQueueUrl"]], "ExportsWorker": arn[outputs["ExportsQueueUrl"]],
        "InboundMailWorker": arn[outputs["InboundMailQueueUrl"]],
        "WebhooksWorker": arn[outputs["WebhooksQueueUrl"]],
    }
    for url in arn:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        # An export runs for minutes: three tries before its DLQ; every other message five.
        tries = 3 if url == outputs["ExportsQueueUrl"] else 5
        assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] == tries, url


def test_stack_log_groups_keep_logs_30_days_by_default(stack: tuple[dict[str, str], Any]) -> None:
    _, client = stack
    groups = {g["logGroupName"]: g for g in client("logs").describe_log_groups()["logGroups"]}
    expected = {f"/aws/lambda/{STACK}/{name}" for name in _functions(client)} | {f"/aws/apigateway/{STACK}/access"}
    assert expected <= set(groups)
    assert {groups[name].get("retentionInDays") for name in expected} == {30}


# --- every failure is seen (on the translated template: moto creates none of these) ---------


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {n: r for n, r in template["Resources"].items() if r["Type"] == kind}


def _dimension(alarm: dict[str, Any], name: str) -> Any:
    (value,) = [d["Value"] for d in alarm["Properties"].get("Dimensions", []) if d["Name"] == name]
    return value


def test_every_dead_letter_queue_has_an_alarm(translated: dict[str, Any]) -> None:
    queues = _of_type(translated, "AWS::SQS::Queue")
    dlqs = {q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            for q in queues.values() if "RedrivePolicy" in q["Properties"]}
    assert dlqs and dlqs | {n for n, q in queues.items() if "RedrivePolicy" in q["Properties"]} == set(queues)
    alarms = _of_type(translated, "AWS::CloudWatch::Alarm")
    watched = {}
    for alarm in alarms.values():
        props = alarm["Properties"]
        if props.get("MetricName") == "ApproximateNumberOfMessagesVisible":
            watched[_dimension(alarm, "QueueName")["Fn::GetAtt"][0]] = props
    assert set(watched) == dlqs
    for props in watched.values():  # any one message
        assert (props["Threshold"], props["ComparisonOperator"]) == (0, "GreaterThanThreshold")
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_every_function_has_error_and_throttle_alarms_and_a_log_group(translated: dict[str, Any]) -> None:
    functions = _of_type(translated, "AWS::Lambda::Function")
    alarms = _of_type(translated, "AWS::CloudWatch::Alarm").values()
    groups = _of_type(translated, "AWS::Logs::LogGroup")
    for name, function in functions.items():
        for metric in ("Errors", "Throttles"):
            assert any(a["Properties"].get("MetricName") == metric and a["Properties"]["Namespace"] == "AWS/Lambda"
                       and _dimension(a, "FunctionName") == {"Ref": name} for a in alarms), f"{name}: no {metric} alarm"
        group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert groups[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name
    assert translated["Parameters"]["LogRetentionDays"]["Default"] == 30


def test_stripe_events_alarm_after_ten_minutes_and_api_on_5xx_rate(translated: dict[str, Any]) -> None:
    alarms = _of_type(translated, "AWS::CloudWatch::Alarm")
    age = alarms["StripeEventsAgeAlarm"]["Properties"]
    assert (age["MetricName"], age["Threshold"]) == ("ApproximateAgeOfOldestMessage", 600)
    assert _dimension(alarms["StripeEventsAgeAlarm"], "QueueName") == {"Fn::GetAtt": ["StripeEventsQueue", "QueueName"]}
    api = alarms["Api5xxAlarm"]["Properties"]
    metrics = {m["Id"]: m for m in api["Metrics"]}
    assert metrics["errors"]["MetricStat"]["Metric"]["MetricName"] == "5XXError"
    stage = _of_type(translated, "AWS::ApiGateway::Stage")
    dimensions = {d["Name"]: d["Value"] for d in metrics["errors"]["MetricStat"]["Metric"]["Dimensions"]}
    assert dimensions["Stage"] == next(iter(stage.values()))["Properties"]["StageName"]
    assert dimensions["ApiName"] == translated["Resources"]["RestAPI"]["Properties"]["Name"]
    subscription = translated["Resources"]["AlarmEmailSubscription"]
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"} and subscription["Properties"]["Protocol"] == "email"


def test_api_stage_logs_access_and_traces_and_there_is_no_stage_named_stage(translated: dict[str, Any]) -> None:
    stages = _of_type(translated, "AWS::ApiGateway::Stage")
    assert [s["Properties"]["StageName"] for s in stages.values()] == ["api"]
    (stage,) = stages.values()
    assert stage["Properties"]["TracingEnabled"] is True
    access = stage["Properties"]["AccessLogSetting"]
    assert access["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    fields = json.loads(access["Format"])
    assert {"requestId", "status", "ip", "xrayTraceId"} <= set(fields)
    assert "$context.path" not in access["Format"]  # paths carry share tokens; the route template does not
    # API Gateway writes access logs only once the account has its CloudWatch role.
    assert translated["Resources"]["RestAPI"]["DependsOn"] == ["ApiGatewayAccount"]
