"""`make owner`: a business and its first owner in a deployed stage, found through the stack's outputs.

The stage's table and user pool are the test session's, built from infra/resources.json on moto;
the stack `paydrop-<stage>` in moto's CloudFormation carries their names as outputs, as the
deployed stack does. The tool runs as `make owner` runs it, in its own process."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGE = "prod"


@pytest.fixture(scope="module")
def stack(aws: Any) -> Any:
    """`paydrop-prod` in moto's CloudFormation with the outputs `make owner` reads."""
    import boto3

    outputs = {"TableName": aws.table_name, "UserPoolId": aws.user_pool_id, "UserPoolClientId": aws.user_pool_client_id}
    template = {
        "Resources": {"Marker": {"Type": "AWS::SQS::Queue"}},  # a stack needs one resource
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    cloudformation = boto3.client("cloudformation", endpoint_url=aws.endpoint_url, region_name=aws.region,
                                  aws_access_key_id="testing", aws_secret_access_key="testing")
    cloudformation.create_stack(StackName=f"paydrop-{STAGE}", TemplateBody=json.dumps(template))
    return aws


def make_owner(resources: Any, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "PAYDROP_AWS_ENDPOINT_URL": resources.endpoint_url,
           "AWS_REGION": resources.region, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    return subprocess.run([sys.executable, "-m", "infra.owner", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def test_owner_is_created_and_can_be_found(stack: Any) -> None:
    import boto3

    from chalicelib.store.businesses import get_business

    result = make_owner(stack, "--stage", STAGE, "--email", "founder@northwind.example", "--business", "Northwind")
    assert result.returncode == 0, result.stdout + result.stderr
    business_id = result.stdout.split("(")[1].split(")")[0]
    password = result.stdout.split("password (shown once): ")[1].strip()
    business = get_business(business_id)
    assert business is not None and business.name == "Northwind" and business.currency == "EUR"
    idp = boto3.client("cognito-idp", endpoint_url=stack.endpoint_url, region_name=stack.region,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    user = idp.admin_get_user(UserPoolId=stack.user_pool_id, Username="founder@northwind.example")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["custom:business_id"] == business_id
    groups = idp.admin_list_groups_for_user(UserPoolId=stack.user_pool_id, Username="founder@northwind.example")
    assert [g["GroupName"] for g in groups["Groups"]] == ["owner"]
    # The printed password signs in (permanent: no NEW_PASSWORD_REQUIRED challenge).
    tokens = idp.initiate_auth(ClientId=stack.user_pool_client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "founder@northwind.example", "PASSWORD": password})
    assert "IdToken" in tokens["AuthenticationResult"]

    again = make_owner(stack, "--stage", STAGE, "--email", "founder@northwind.example")
    assert again.returncode == 1
    assert f"founder@northwind.example already has a staff account in paydrop-{STAGE}'s user pool" in again.stderr
    assert business_id in again.stderr and "nothing was created" in again.stderr


@pytest.mark.parametrize("email", ["founder", "founder@", "a b@example.com", "Founder <founder@example.com>"])
def test_a_bad_email_is_refused_in_words(stack: Any, email: str) -> None:
    result = make_owner(stack, "--stage", STAGE, "--email", email)
    assert result.returncode == 1
    assert "is not an email address like name@example.com" in result.stderr
    assert result.stdout == ""


def test_a_stage_never_deployed_is_named(stack: Any) -> None:
    result = make_owner(stack, "--stage", "dev", "--email", "founder@example.com")
    assert result.returncode == 1
    assert "stack paydrop-dev cannot be read" in result.stderr and "make deploy" in result.stderr
