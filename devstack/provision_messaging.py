"""SNS topics and subscriptions, and SES configuration sets, for `devstack/provision.py`.

The mail feedback path of the template: SES configuration set → event destination → SNS topic
→ SQS `MailFeedbackQueue` (raw delivery, so the queue's message body is SES's event JSON).

moto records the configuration set and its destination but never publishes their events (and
its SES simulator's identity notifications reach a raw SQS subscription as a body that moto's
own ReceiveMessage then fails on), so locally a bounce is what a test or tool publishes to the
topic: the same SNS → SQS → worker path as in the cloud from there on.
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devstack.provision import _Stack

log = logging.getLogger("paydrop.provision")


def _create_topic(name: str, props: dict[str, Any], stack: _Stack) -> None:
    """Topic named like CloudFormation would (`<stack>-<logical id>`); `Ref` is its ARN."""
    sns = stack.clients("sns")
    attributes = {"DisplayName": props["DisplayName"]} if "DisplayName" in props else {}
    arn = sns.create_topic(Name=props.get("TopicName") or f"{stack.name}-{name}", Attributes=attributes)["TopicArn"]
    stack.refs[name] = arn
    stack.attrs[(name, "TopicArn")] = arn
    stack.attrs[(name, "TopicName")] = arn.rpartition(":")[2]


def _create_subscription(name: str, props: dict[str, Any], stack: _Stack) -> None:
    """Subscription with its delivery settings (moto's SNS delivers to SQS endpoints for real)."""
    sns = stack.clients("sns")
    attributes = {"RawMessageDelivery": "true" if props.get("RawMessageDelivery") else "false"}
    reply = sns.subscribe(TopicArn=props["TopicArn"], Protocol=props["Protocol"], Endpoint=props["Endpoint"],
                          Attributes=attributes, ReturnSubscriptionArn=True)
    stack.refs[name] = reply["SubscriptionArn"]


def _create_configuration_set(name: str, props: dict[str, Any], stack: _Stack) -> None:
    """Configuration set by its name (the mail sender passes it as `ConfigurationSetName`)."""
    ses = stack.clients("ses")
    config_set = props.get("Name") or f"{stack.name}-{name}"
    with contextlib.suppress(ses.exceptions.ConfigurationSetAlreadyExistsException):
        ses.create_configuration_set(ConfigurationSet={"Name": config_set})
    stack.refs[name] = config_set


def _create_event_destination(name: str, props: dict[str, Any], stack: _Stack) -> None:
    """Event destination with CloudFormation's property names turned into SES's (v1) API shapes.

    Unnamed, it is named after the stack like CloudFormation would: moto keeps destination names
    unique across every configuration set, and tests provision several stacks in one process."""
    ses = stack.clients("ses")
    destination = props["EventDestination"]
    translated: dict[str, Any] = {
        "Name": destination.get("Name") or f"{stack.name}-{name}", "Enabled": destination.get("Enabled", False),
        "MatchingEventTypes": destination["MatchingEventTypes"],
    }
    if "SnsDestination" in destination:
        translated["SNSDestination"] = {"TopicARN": destination["SnsDestination"]["TopicARN"]}
    unsupported = set(destination) - {"Name", "Enabled", "MatchingEventTypes", "SnsDestination"}
    if unsupported:
        raise NotImplementedError(f"{name}: event destinations {sorted(unsupported)} are not provisioned locally")
    ses.create_configuration_set_event_destination(
        ConfigurationSetName=props["ConfigurationSetName"], EventDestination=translated)
    stack.refs[name] = translated["Name"]


def _create_receipt_rule_set(name: str, props: dict[str, Any], stack: _Stack) -> None:
    """Receipt rule set, named like CloudFormation would. Locally nothing sends mail to it: the outbox's
    Reply writes the raw reply where the rule's S3 action would (devstack/outbox_reply.py)."""
    ses = stack.clients("ses")
    rule_set = props.get("RuleSetName") or f"{stack.name}-{name}"
    with contextlib.suppress(ses.exceptions.AlreadyExistsException):
        ses.create_receipt_rule_set(RuleSetName=rule_set)
    stack.refs[name] = rule_set


def _create_receipt_rule(name: str, props: dict[str, Any], stack: _Stack) -> None:
    """Receipt rule (S3 action): CloudFormation's shapes are the API's, but for the rule's name."""
    ses = stack.clients("ses")
    rule = {"Name": f"{stack.name}-{name}", **props["Rule"]}
    with contextlib.suppress(ses.exceptions.AlreadyExistsException):
        ses.create_receipt_rule(RuleSetName=props["RuleSetName"], Rule=rule)
    stack.refs[name] = rule["Name"]


MESSAGING_CREATORS: dict[str, Callable[[str, dict[str, Any], _Stack], None]] = {
    "AWS::SNS::Topic": _create_topic,
    "AWS::SNS::Subscription": _create_subscription,
    "AWS::SES::ConfigurationSet": _create_configuration_set,
    "AWS::SES::ConfigurationSetEventDestination": _create_event_destination,
    "AWS::SES::ReceiptRuleSet": _create_receipt_rule_set,
    "AWS::SES::ReceiptRule": _create_receipt_rule,
}
