"""Create the resources of `infra/resources.json` on a moto server, the way CloudFormation would.

Why not moto's own CloudFormation: it skips Cognito entirely and ignores most S3 bucket
sub-configurations (notifications, CORS, versioning, public access block), so the local
stack would differ from the cloud in exactly the places we test. Instead this module reads
the same template that `chalice package --merge-template` uses, resolves the intrinsic
functions it needs, and calls the real AWS APIs through boto3 against the moto endpoint.

Not created locally: IAM policies, SQS queue policies and S3 bucket policies (moto does
not enforce IAM), CloudFront (the app serves the dashboard at `/app/` itself), and the
Chalice resources the template only overrides (entries without a `Type`, such as
`APIHandler` or `RestAPI`).
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

from devstack.provision_messaging import MESSAGING_CREATORS

log = logging.getLogger("paydrop.provision")

TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "resources.json"
SKIPPED_TYPES = {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::SQS::QueuePolicy", "AWS::S3::BucketPolicy",
                 "AWS::SNS::TopicPolicy"}
# Alarms, log groups and API Gateway's logging role watch the cloud; `make dev` logs to the console.
OBSERVABILITY_TYPES = {"AWS::CloudWatch::Alarm", "AWS::Logs::LogGroup", "AWS::IAM::Role", "AWS::ApiGateway::Account"}
# The CDN in front of the dashboard bucket and the API: locally the app serves `/app/` itself
# (chalicelib/api/dashboard.py) on the same origin as the API, which is what CloudFront gives.
CLOUD_ONLY_TYPES = {"AWS::CloudFront::Distribution", "AWS::CloudFront::OriginAccessControl",
                    "AWS::CloudFront::Function", "AWS::CloudFront::ResponseHeadersPolicy"}
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass(frozen=True)
class Resources:
    """Physical names of what `provision` created, and how to point a process at them."""

    table_name: str
    files_bucket: str
    stripe_events_queue_url: str
    stripe_events_dlq_url: str
    uploads_queue_url: str
    uploads_dlq_url: str
    mail_queue_url: str
    views_queue_url: str
    mail_dlq_url: str
    views_dlq_url: str
    mail_feedback_queue_url: str
    mail_feedback_dlq_url: str
    ses_configuration_set: str
    mail_feedback_topic_arn: str
    user_pool_id: str
    user_pool_client_id: str
    region: str
    endpoint_url: str
    mail_from: str
    exports_queue_url: str = ""
    exports_dlq_url: str = ""
    inbound_mail_queue_url: str = ""
    inbound_mail_dlq_url: str = ""
    inbound_mail_bucket: str = ""
    mail_inbound_domain: str = ""
    webhooks_queue_url: str = ""
    webhooks_dlq_url: str = ""
    # A fresh `whsec_…` per local stack, for the offline checkout and any tool posting events.
    stripe_webhook_secret: str = field(default_factory=lambda: os.environ.get("PAYDROP_SECRET_STRIPE_WEBHOOK_SECRET")
                                       or "whsec_local_" + secrets.token_urlsafe(24))

    def as_env(self, stage: str) -> dict[str, str]:
        """Environment variables that make `chalicelib.config.settings()` use this stack."""
        env = {
            "PAYDROP_AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "TABLE_NAME": self.table_name,
            "FILES_BUCKET": self.files_bucket,
            "STRIPE_EVENTS_QUEUE_URL": self.stripe_events_queue_url,
            "UPLOADS_QUEUE_URL": self.uploads_queue_url,
            "MAIL_QUEUE_URL": self.mail_queue_url,
            "VIEWS_QUEUE_URL": self.views_queue_url,
            "EXPORTS_QUEUE_URL": self.exports_queue_url,
            "USER_POOL_ID": self.user_pool_id,
            "USER_POOL_CLIENT_ID": self.user_pool_client_id,
            "MAIL_FROM": self.mail_from,
            "MAIL_FEEDBACK_QUEUE_URL": self.mail_feedback_queue_url,
            "SES_CONFIGURATION_SET": self.ses_configuration_set,
            "PAYDROP_STAGE": stage,
            # Locally, with no Stripe key, the offline checkout signs its webhook events with this.
            "PAYDROP_SECRET_STRIPE_WEBHOOK_SECRET": self.stripe_webhook_secret,
            "INBOUND_MAIL_QUEUE_URL": self.inbound_mail_queue_url,
            "INBOUND_MAIL_BUCKET": self.inbound_mail_bucket,
            "MAIL_INBOUND_DOMAIN": self.mail_inbound_domain,
            "WEBHOOKS_QUEUE_URL": self.webhooks_queue_url,
        }
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            if not os.environ.get(key):
                env[key] = "testing"
        return env

    def queue_urls(self) -> dict[str, str]:
        """The URL of each queue by the name the app's `@app.on_sqs_message(queue=...)` gives it."""
        return {"stripe-events": self.stripe_events_queue_url, "uploads": self.uploads_queue_url,
                "mail": self.mail_queue_url, "views": self.views_queue_url,
                "mail-feedback": self.mail_feedback_queue_url,
                "exports": self.exports_queue_url, "inbound-mail": self.inbound_mail_queue_url,
                "webhooks": self.webhooks_queue_url}


@dataclass
class _Stack:
    """What CloudFormation would know while creating: names, refs and attributes so far."""

    name: str
    region: str
    account_id: str
    clients: Callable[[str], Any]
    refs: dict[str, str] = field(default_factory=dict)
    attrs: dict[tuple[str, str], str] = field(default_factory=dict)
    conditions: dict[str, bool] = field(default_factory=dict)

    def pseudo(self, name: str) -> str:
        """A pseudo parameter such as `AWS::StackName`."""
        values = {
            "AWS::StackName": self.name, "AWS::Region": self.region, "AWS::AccountId": self.account_id,
            "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/{self.name}/local",
        }
        if name not in values:
            raise KeyError(f"unsupported pseudo parameter {name}")
        return values[name]

    def ref(self, name: str) -> str:
        """What `Ref` returns: a pseudo parameter or the physical id of a created resource."""
        return self.pseudo(name) if name.startswith("AWS::") else self.refs[name]

    def get_att(self, name: str, attribute: str) -> str:
        """What `Fn::GetAtt` returns, for the attributes the creators record."""
        try:
            return self.attrs[(name, attribute)]
        except KeyError:
            raise KeyError(f"{name}.{attribute} is not known locally; extend devstack/provision.py") from None


# --- intrinsic functions ---------------------------------------------------------------


# What `{"Ref": "AWS::NoValue"}` resolves to: the key (or list item) holding it is left out.
_NO_VALUE = object()


def resolve(value: Any, stack: _Stack) -> Any:
    """`value` with Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select and Fn::If replaced by strings."""
    if isinstance(value, list):
        return [item for item in (resolve(item, stack) for item in value) if item is not _NO_VALUE]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref":
            return _NO_VALUE if arg == "AWS::NoValue" else stack.ref(arg)
        if key == "Fn::If":
            condition, when_true, when_false = arg
            return resolve(when_true if stack.conditions[condition] else when_false, stack)
        if key == "Fn::GetAtt":
            name, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
            return stack.get_att(name, attribute)
        if key == "Fn::Sub":
            return _sub(arg, stack)
        if key == "Fn::Join":
            separator, items = arg
            return separator.join(resolve(items, stack))
        if key == "Fn::Select":
            index, items = arg
            return resolve(items, stack)[int(resolve(index, stack))]
        if key.startswith("Fn::"):
            raise NotImplementedError(f"{key} is not supported by devstack/provision.py")
    resolved = {k: resolve(v, stack) for k, v in value.items()}
    return {k: v for k, v in resolved.items() if v is not _NO_VALUE}


def condition_values(conditions: dict[str, Any], stack: _Stack) -> dict[str, bool]:
    """Each template condition's truth, from Fn::Equals / Not / And / Or and `Condition` references."""
    values: dict[str, bool] = {}

    def truth(expression: Any) -> bool:
        (key, arg), = expression.items()
        if key == "Condition":
            if arg not in values:
                values[arg] = truth(conditions[arg])
            return values[arg]
        if key == "Fn::Equals":
            left, right = (resolve(item, stack) for item in arg)
            return bool(str(left) == str(right))
        if key == "Fn::Not":
            return not truth(arg[0])
        if key in ("Fn::And", "Fn::Or"):
            found = [truth(item) for item in arg]
            return all(found) if key == "Fn::And" else any(found)
        raise NotImplementedError(f"condition function {key} is not supported by devstack/provision.py")

    for name in conditions:
        truth({"Condition": name})
    return values


def _sub(arg: str | list[Any], stack: _Stack) -> str:
    """Fn::Sub, both forms: `${Name}`, `${Name.Attribute}`, `${AWS::…}`, `${!Literal}`."""
    text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], resolve(arg[1], stack))

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in variables:
            return str(variables[name])
        if "." in name and not name.startswith("AWS::"):
            return stack.get_att(*name.split(".", 1))
        return stack.ref(name)

    return _SUB_VARIABLE.sub(replace, text).replace("${!", "${")


def dependencies(value: Any) -> set[str]:
    """Logical ids that `value` refers to (Ref, Fn::GetAtt, ${...} in Fn::Sub)."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= dependencies(item)
    elif isinstance(value, dict):
        for key, arg in value.items():
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
            elif key == "Fn::GetAtt":
                found.add(arg.split(".")[0] if isinstance(arg, str) else arg[0])
            elif key == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]
                found |= {m.split(".")[0] for m in _SUB_VARIABLE.findall(text)}
            found |= dependencies(arg)
    return {name for name in found if not name.startswith("AWS::")}


def creation_order(resources: dict[str, Any]) -> list[str]:
    """Logical ids of typed resources, each after everything it references or DependsOn."""
    typed = [name for name, spec in resources.items() if "Type" in spec]
    graph: dict[str, list[str]] = {}
    for name in typed:  # template order in, so the order out is the same on every run
        spec = resources[name]
        depends_on = spec.get("DependsOn", [])
        explicit = {depends_on} if isinstance(depends_on, str) else set(depends_on)
        graph[name] = sorted((dependencies(spec.get("Properties", {})) | explicit) & set(typed))
    return list(TopologicalSorter(graph).static_order())


# --- DynamoDB ----------------------------------------------------------------------------


_TABLE_FOLLOW_UPS: dict[str, Callable[[Any, str, Any], None]] = {
    "TimeToLiveSpecification": lambda ddb, t, c: ddb.update_time_to_live(TableName=t, TimeToLiveSpecification=c),
    "PointInTimeRecoverySpecification": lambda ddb, t, c: ddb.update_continuous_backups(
        TableName=t, PointInTimeRecoverySpecification=c
    ),
}


def _create_table(name: str, props: dict[str, Any], stack: _Stack) -> None:
    """Table, then TTL and point-in-time recovery (separate API calls, as in CloudFormation)."""
    ddb = stack.clients("dynamodb")
    table_name = props.get("TableName") or f"{stack.name}-{name}"
    passed = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "BillingMode")
    request: dict[str, Any] = {key: props[key] for key in passed if key in props}
    ignored = set(props) - set(passed) - {"TableName", "SSESpecification", *_TABLE_FOLLOW_UPS}
    if ignored:
        log.warning("%s: %s not provisioned locally", name, sorted(ignored))
    if "SSESpecification" in props:
        sse = props["SSESpecification"]
        request["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled"))} | (
            {"SSEType": sse["SSEType"]} if "SSEType" in sse else {}
        )
    try:
        table = ddb.create_table(TableName=table_name, **request)["TableDescription"]
    except ddb.exceptions.ResourceInUseException:
        table = ddb.describe_table(TableName=table_name)["Table"]
    for key, apply in _TABLE_FOLLOW_UPS.items():
        if key in props:
            apply(ddb, table_name, props[key])
    stack.refs[name] = table_name
    stack.attrs[(name, "Arn")] = table["TableArn"]


# --- S3 ----------------------------------------------------------------------------------


def _create_bucket(name: str, props: dict[str, Any], stack: _Stack) -> None:
    """Bucket, then each sub-configuration that moto's CloudFormation would ignore."""
    s3 = stack.clients("s3")
    bucket = props.get("BucketName") or f"{stack.name}-{name.removesuffix('Bucket')}".lower()
    location = {} if stack.region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": stack.region}
    }
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=bucket, **location)
    for key, apply in _BUCKET_CONFIGURATIONS.items():
        if key in props:
            apply(s3, bucket, props[key])
    ignored = set(props) - set(_BUCKET_CONFIGURATIONS) - {"BucketName"}
    if ignored:
        log.warning("%s: %s not provisioned locally", name, sorted(ignored))
    stack.refs[name] = bucket
    stack.attrs[(name, "Arn")] = f"arn:aws:s3:::{bucket}"
    stack.attrs[(name, "DomainName")] = f"{bucket}.s3.amazonaws.com"
    stack.attrs[(name, "RegionalDomainName")] = f"{bucket}.s3.{stack.region}.amazonaws.com"


def _bucket_encryption(s3: Any, bucket: str, config: dict[str, Any]) -> None:
    """CloudFormation's `ServerSideEncryptionByDefault` is the API's `ApplyServerSideEncryptionByDefault`."""
    rules = [
        {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
        | ({"BucketKeyEnabled": rule["BucketKeyEnabled"]} if "BucketKeyEnabled" in rule else {})
        for rule in config["ServerSideEncryptionConfiguration"]
    ]
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules})


def _bucket_cors(s3: Any, bucket: str, config: dict[str, Any]) -> None:
    """CORS rules; three property names differ between CloudFormation and the API."""
    renamed = {"Id": "ID", "ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds"}
    rules = [{renamed.get(k, k): v for k, v in rule.items()} for rule in config["CorsRules"]]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})


def _bucket_lifecycle(s3: Any, bucket: str, config: dict[str, Any]) -> None:
    """Lifecycle rules; the API wants `ID`, a `Filter` and `Expiration.Days` where CloudFormation has
    `Id`, `Prefix` and `ExpirationInDays`."""
    rules = []
    for rule in config["Rules"]:
        translated = {k: v for k, v in rule.items() if k not in ("Id", "Prefix", "ExpirationInDays")}
        if "ExpirationInDays" in rule:
            translated["Expiration"] = {"Days": rule["ExpirationInDays"]}
        translated["Filter"] = {"Prefix": rule.get("Prefix", "")}
        rules.append(translated | ({"ID": rule["Id"]} if "Id" in rule else {}))
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})


def _bucket_notifications(s3: Any, bucket: str, config: dict[str, Any]) -> None:
    """Only queue targets: the design routes S3 events through SQS (see ARCHITECTURE.md)."""
    unsupported = set(config) - {"QueueConfigurations"}
    if unsupported:
        raise NotImplementedError(f"bucket notifications {sorted(unsupported)} are not provisioned locally")
    queues = []
    for item in config["QueueConfigurations"]:
        target: dict[str, Any] = {"QueueArn": item["Queue"], "Events": [item["Event"]]}
        if "Filter" in item:
            target["Filter"] = {"Key": {"FilterRules": item["Filter"]["S3Key"]["Rules"]}}
        queues.append(target)
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"QueueConfigurations": queues}
    )


_BUCKET_CONFIGURATIONS: dict[str, Callable[[Any, str, Any], None]] = {
    "VersioningConfiguration": lambda s3, b, c: s3.put_bucket_versioning(Bucket=b, VersioningConfiguration=c),
    "BucketEncryption": _bucket_encryption,
    "PublicAccessBlockConfiguration": lambda s3, b, c: s3.put_public_access_block(
        Bucket=b, PublicAccessBlockConfiguration=c
    ),
    "OwnershipControls": lambda s3, b, c: s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls=c),
    "CorsConfiguration": _bucket_cors,
    "LifecycleConfiguration": _bucket_lifecycle,
    "NotificationConfiguration": _bucket_notifications,
}


# --- SQS ---------------------------------------------------------------------------------


def _queue_attribute(value: Any) -> str:
    """SQS attributes are strings: booleans lower-case, policies as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def _create_queue(name: str, props: dict[str, Any], stack: _Stack) -> None:
    """Queue with its attributes (RedrivePolicy, VisibilityTimeout, SSE…) as SQS strings."""
    sqs = stack.clients("sqs")
    fifo = bool(props.get("FifoQueue"))
    queue_name = props.get("QueueName") or f"{stack.name}-{name}" + (".fifo" if fifo else "")
    attributes = {
        key: _queue_attribute(value) for key, value in props.items() if key not in ("QueueName", "Tags")
    }
    url = sqs.create_queue(QueueName=queue_name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    stack.refs[name] = url
    stack.attrs[(name, "Arn")] = arn
    stack.attrs[(name, "QueueName")] = queue_name
    stack.attrs[(name, "QueueUrl")] = url


# --- Cognito -----------------------------------------------------------------------------


def _create_user_pool(name: str, props: dict[str, Any], stack: _Stack) -> None:
    """User pool; moto takes custom attributes only through `Schema` (Name without `custom:`)."""
    idp = stack.clients("cognito-idp")
    pool_name = props.pop("UserPoolName", None) or f"{stack.name}-{name}"
    props.pop("UserPoolTags", None)
    pools = idp.list_user_pools(MaxResults=60)["UserPools"]
    existing = [pool["Id"] for pool in pools if pool["Name"] == pool_name]
    if existing:
        pool = idp.describe_user_pool(UserPoolId=existing[0])["UserPool"]
    else:
        pool = idp.create_user_pool(PoolName=pool_name, **props)["UserPool"]
    stack.refs[name] = pool["Id"]
    stack.attrs[(name, "Arn")] = pool["Arn"]
    stack.attrs[(name, "ProviderName")] = f"cognito-idp.{stack.region}.amazonaws.com/{pool['Id']}"
    stack.attrs[(name, "ProviderURL")] = f"https://cognito-idp.{stack.region}.amazonaws.com/{pool['Id']}"


def _create_user_pool_client(name: str, props: dict[str, Any], stack: _Stack) -> None:
    """App client; CloudFormation's property names are the API's, so they pass through."""
    idp = stack.clients("cognito-idp")
    client_name = props.pop("ClientName", None) or f"{stack.name}-{name}"
    pool_id = props.pop("UserPoolId")
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    existing = [c["ClientId"] for c in clients if c["ClientName"] == client_name]
    client_id = existing[0] if existing else idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=client_name, **props
    )["UserPoolClient"]["ClientId"]
    stack.refs[name] = client_id
    stack.attrs[(name, "ClientId")] = client_id


def _create_group(name: str, props: dict[str, Any], stack: _Stack) -> None:
    """Group (a role in the app); the API takes CloudFormation's properties unchanged."""
    idp = stack.clients("cognito-idp")
    with contextlib.suppress(idp.exceptions.GroupExistsException):
        idp.create_group(**props)
    stack.refs[name] = props["GroupName"]


# --- SES --------------------------------------------------------------------------------


def _create_email_identity(name: str, props: dict[str, Any], stack: _Stack) -> None:
    """Identity verified at once: moto's SES refuses unverified senders, and there is no DNS locally."""
    ses = stack.clients("ses")
    identity = props["EmailIdentity"]
    if "@" in identity:
        ses.verify_email_identity(EmailAddress=identity)
    else:
        ses.verify_domain_identity(Domain=identity)
    # DNS-side settings (DKIM keys) and the default configuration set mean nothing to moto's SES.
    ignored = set(props) - {"EmailIdentity", "DkimAttributes", "DkimSigningAttributes", "ConfigurationSetAttributes"}
    if ignored:
        log.warning("%s: %s not provisioned locally", name, sorted(ignored))
    stack.refs[name] = identity


CREATORS: dict[str, Callable[[str, dict[str, Any], _Stack], None]] = {
    "AWS::DynamoDB::Table": _create_table,
    "AWS::S3::Bucket": _create_bucket,
    "AWS::SQS::Queue": _create_queue,
    "AWS::Cognito::UserPool": _create_user_pool,
    "AWS::Cognito::UserPoolClient": _create_user_pool_client,
    "AWS::Cognito::UserPoolGroup": _create_group,
    "AWS::SES::EmailIdentity": _create_email_identity,
    **MESSAGING_CREATORS,
}


# --- the stack ---------------------------------------------------------------------------


def _client_factory(endpoint_url: str, region: str) -> Callable[[str], Any]:
    """boto3 clients for moto; any credentials do, so never pick up real ones."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
    )
    made: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in made:
            config = Config(s3={"addressing_style": "path"}) if service == "s3" else None
            made[service] = session.client(service, endpoint_url=endpoint_url, config=config)
        return made[service]

    return client


def parameter_values(template: dict[str, Any], given: dict[str, str] | None = None) -> dict[str, str]:
    """Template parameters as CloudFormation would resolve them: the given value, else the Default."""
    values = {}
    for name, spec in template.get("Parameters", {}).items():
        value = (given or {}).get(name, spec.get("Default"))
        if value is None:
            raise KeyError(f"template parameter {name} has no Default: pass it to provision(parameters=...)")
        values[name] = str(value)
    return values


def create_resources(template: dict[str, Any], stack: _Stack, parameters: dict[str, str] | None = None) -> None:
    """Create every typed resource of `template` in dependency order, skipping what moto ignores."""
    # `Ref` to a parameter reads its value from the same table as `Ref` to a resource.
    stack.refs.update(parameter_values(template, parameters))
    stack.conditions = condition_values(template.get("Conditions", {}), stack)
    resources = template["Resources"]
    for name in creation_order(resources):
        kind = resources[name]["Type"]
        if not stack.conditions.get(resources[name].get("Condition", ""), True):
            log.info("skipping %s (%s): its condition is false", name, kind)
            continue
        if kind in OBSERVABILITY_TYPES:
            log.info("skipping %s (%s): locally every process logs to the console", name, kind)
            continue
        if kind in SKIPPED_TYPES:
            log.info("skipping %s (%s): moto does not enforce IAM or resource policies", name, kind)
            continue
        if kind in CLOUD_ONLY_TYPES:
            log.info("skipping %s (%s): locally the app serves the dashboard at /app/", name, kind)
            continue
        if kind not in CREATORS:
            raise NotImplementedError(f"{name}: {kind} is not provisioned locally; extend devstack/provision.py")
        CREATORS[kind](name, resolve(resources[name].get("Properties", {}), stack), stack)
        log.info("ready %s (%s): %s", name, kind, stack.refs[name])


def provision(
    endpoint_url: str,
    stack_name: str = "paydrop-dev",
    region: str = "us-east-1",
    template_path: str | None = None,
    parameters: dict[str, str] | None = None,
) -> Resources:
    """Create the resources of `infra/resources.json` on the moto server at `endpoint_url`."""
    template = json.loads(Path(template_path or TEMPLATE).read_text())
    clients = _client_factory(endpoint_url, region)
    account_id = clients("sts").get_caller_identity()["Account"]
    stack = _Stack(stack_name, region, account_id, clients)
    create_resources(template, stack, parameters)
    # The API function's settings as the cloud computes them, for the one that is not a plain Ref.
    api_env = template["Globals"]["Function"]["Environment"]["Variables"]
    return Resources(
        table_name=stack.refs["AppTable"],
        files_bucket=stack.refs["FilesBucket"],
        stripe_events_queue_url=stack.refs["StripeEventsQueue"],
        stripe_events_dlq_url=stack.refs["StripeEventsDLQ"],
        uploads_queue_url=stack.refs["UploadsQueue"],
        uploads_dlq_url=stack.refs["UploadsDLQ"],
        mail_queue_url=stack.refs["MailQueue"],
        views_queue_url=stack.refs["ViewsQueue"],
        mail_dlq_url=stack.refs["MailDLQ"],
        views_dlq_url=stack.refs["ViewsDLQ"],
        mail_feedback_queue_url=stack.refs["MailFeedbackQueue"],
        mail_feedback_dlq_url=stack.refs["MailFeedbackDLQ"],
        ses_configuration_set=stack.refs["MailConfigurationSet"],
        mail_feedback_topic_arn=stack.refs["MailFeedbackTopic"],
        user_pool_id=stack.refs["StaffUserPool"],
        user_pool_client_id=stack.refs["StaffUserPoolClient"],
        region=region,
        endpoint_url=endpoint_url,
        mail_from=resolve(api_env["MAIL_FROM"], stack),
        exports_queue_url=stack.refs["ExportsQueue"],
        exports_dlq_url=stack.refs["ExportsDLQ"],
        inbound_mail_queue_url=stack.refs["InboundMailQueue"],
        inbound_mail_dlq_url=stack.refs["InboundMailDLQ"],
        inbound_mail_bucket=stack.refs["InboundMailBucket"],
        mail_inbound_domain=stack.refs["MailInboundDomain"],
        webhooks_queue_url=stack.refs["WebhooksQueue"],
        webhooks_dlq_url=stack.refs["WebhooksDLQ"],
    )
