"""`infra/deploy.sh` run end to end against a recording `aws` (and `chalice`, `cfn-lint`) on PATH:
what it would ask of AWS, in order, for a first deploy and for the next one."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "infra" / "deploy.sh"
ACCOUNT, REGION = "123456789012", "eu-central-1"
DISTRIBUTION_URL = "https://d111111abcdef8.cloudfront.net"

# The fake `aws`: appends its argv to calls.jsonl and answers from state.json (what "AWS" holds).
FAKE_AWS = r'''import json, os, sys
from pathlib import Path
home = Path(os.environ["FAKE_AWS_HOME"])
args = sys.argv[1:]
with (home / "calls.jsonl").open("a") as log:
    log.write(json.dumps(args) + "\n")
state_file = home / "state.json"
state = json.loads(state_file.read_text())
def arg(name):
    return args[args.index(name) + 1]
def save():
    state_file.write_text(json.dumps(state))
command = " ".join(args[:2])
if command == "sts get-caller-identity":
    print(state["account"])
elif command == "s3api head-bucket":
    sys.exit(0 if arg("--bucket") in state["buckets"] else 254)
elif command == "s3api create-bucket":
    state["buckets"].append(arg("--bucket")); save()
elif command == "ssm get-parameter":
    name = arg("--name")
    if name not in state["parameters"]:
        sys.exit(254)
    if "--query" in args:
        print(state["parameters"][name])
elif command == "ssm put-parameter":
    state["parameters"][arg("--name")] = arg("--value"); save()
elif command == "cloudformation package":
    Path(arg("--output-template-file")).write_text("packaged")
elif command == "cloudformation deploy":
    state["deploys"] += 1; save()
elif command == "cloudformation describe-stacks":
    query = arg("--query")
    if not state["deploys"]:
        print("An error occurred (ValidationError): Stack with id paydrop-prod does not exist", file=sys.stderr)
        sys.exit(254)
    outputs = {"DistributionURL": state["distribution_url"], "DashboardBucketName": "dashboard-bucket",
               "DistributionId": "E123", "DashboardURL": state["distribution_url"] + "/app/"}
    key = query.split("'")[1] if "'" in query else None
    print(outputs.get(key, "None") if key else "table")
'''
FAKE_CHALICE = '''#!/usr/bin/env bash
# chalice package --stage STAGE --merge-template FILE OUT
# deployment.zip: an empty but valid zip (infra/postpackage.py rewrites it next).
mkdir -p "${@: -1}" && echo '{}' > "${@: -1}/sam.json" && printf 'PK\\005\\006%018d' 0 | tr 0 '\\000' > "${@: -1}/deployment.zip"
echo "chalice $*" >> "$FAKE_AWS_HOME/tools.log"
'''
FAKE_CFN_LINT = '''#!/usr/bin/env bash
echo "cfn-lint $*" >> "$FAKE_AWS_HOME/tools.log"
'''


class FakeAccount:
    """A directory of fake tools plus the state they share."""

    def __init__(self, home: Path) -> None:
        self.home = home
        bin_dir = home / "bin"
        bin_dir.mkdir()
        # This interpreter without site-packages (-S): a quick start, for the ~25 calls of a deploy.
        fake_aws = f"#!{sys.executable} -S\n{FAKE_AWS}"
        for name, text in (("aws", fake_aws), ("chalice", FAKE_CHALICE), ("cfn-lint", FAKE_CFN_LINT)):
            (bin_dir / name).write_text(text)
            (bin_dir / name).chmod(0o755)
        self.state({"account": ACCOUNT, "buckets": [], "parameters": {}, "deploys": 0,
                    "distribution_url": DISTRIBUTION_URL})

    def state(self, value: dict[str, Any] | None = None) -> dict[str, Any]:
        path = self.home / "state.json"
        if value is not None:
            path.write_text(json.dumps(value))
        return json.loads(path.read_text())  # type: ignore[no-any-return]

    def calls(self) -> list[list[str]]:
        path = self.home / "calls.jsonl"
        calls = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
        path.unlink(missing_ok=True)
        return calls

    def run(self, stage: str = "prod", **env: str) -> subprocess.CompletedProcess[str]:
        environment = {"PATH": f"{self.home / 'bin'}:{os.environ['PATH']}", "HOME": str(self.home),
                       "FAKE_AWS_HOME": str(self.home), "AWS_REGION": REGION,
                       "PACKAGE_DIR": str(self.home / "package"), **env}
        return subprocess.run(["bash", str(DEPLOY), stage], env=environment, capture_output=True, text=True,
                              timeout=60, check=False)


@pytest.fixture
def account(tmp_path: Path) -> FakeAccount:
    return FakeAccount(tmp_path)


def _overrides(call: list[str]) -> dict[str, str]:
    values = call[call.index("--parameter-overrides") + 1:]
    return dict(value.split("=", 1) for value in values)


def _named(calls: list[list[str]], *command: str) -> list[list[str]]:
    return [c for c in calls if tuple(c[:len(command)]) == command]


def test_deploy_script_is_valid_bash_and_shellcheck_clean() -> None:
    subprocess.run(["bash", "-n", str(DEPLOY)], check=True, timeout=30)
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    result = subprocess.run([shellcheck, str(DEPLOY)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout


def test_first_deploy_creates_bucket_and_secrets_and_deploys_through_the_bucket(account: FakeAccount) -> None:
    result = account.run(MAIL_DOMAIN="mail.example.com", ALARM_EMAIL="ops@example.com",
                         MAIL_FROM="Northwind Billing <billing@mail.example.com>")
    assert result.returncode == 0, result.stdout + result.stderr
    calls = account.calls()
    bucket = f"paydrop-artifacts-{ACCOUNT}-{REGION}"
    (create,) = _named(calls, "s3api", "create-bucket")
    assert create[create.index("--bucket") + 1] == bucket
    assert f"LocationConstraint={REGION}" in create
    (block,) = _named(calls, "s3api", "put-public-access-block")
    assert "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true" in block
    (encryption,) = _named(calls, "s3api", "put-bucket-encryption")
    assert "AES256" in encryption[-1]
    parameters = account.state()["parameters"]
    assert set(parameters) == {"/paydrop/prod/session-signing-key", "/paydrop/prod/origin-secret"}
    assert all(call[call.index("--type") + 1] == "SecureString" for call in _named(calls, "ssm", "put-parameter"))
    (package,) = _named(calls, "cloudformation", "package")
    assert package[package.index("--s3-bucket") + 1] == bucket
    # No stack yet: the first deploy creates the distribution, the second gives the functions its URL.
    first, second = _named(calls, "cloudformation", "deploy")
    for deploy in (first, second):
        assert deploy[deploy.index("--s3-bucket") + 1] == bucket
        assert deploy[deploy.index("--stack-name") + 1] == "paydrop-prod"
    assert _overrides(first) == {
        "MailDomain": "mail.example.com", "MailFrom": "Northwind Billing <billing@mail.example.com>",
        "AlarmEmail": "ops@example.com", "LogRetentionDays": "30", "CustomDomain": "", "CustomDomainCertificateArn": "",
        "OriginSecret": parameters["/paydrop/prod/origin-secret"], "PublicBaseUrl": "", "StripeConfigured": "false",
        "MailInboundDomain": "reply.mail.example.com",
    }
    assert _overrides(second) == {**_overrides(first), "PublicBaseUrl": DISTRIBUTION_URL}
    tools = (account.home / "tools.log").read_text()
    assert "chalice package --stage prod --merge-template infra/resources.json" in tools
    assert "cfn-lint" in tools
    assert "MailDkimRecord" in result.stdout and "ops@example.com" in result.stdout


def test_next_deploy_reuses_bucket_and_secrets_and_deploys_once(account: FakeAccount) -> None:
    env = {"MAIL_DOMAIN": "mail.example.com", "ALARM_EMAIL": "ops@example.com", "LOG_RETENTION_DAYS": "90"}
    assert account.run(**env).returncode == 0
    account.calls()
    secrets = account.state()["parameters"]
    result = account.run(**env)
    assert result.returncode == 0, result.stderr
    calls = account.calls()
    assert not _named(calls, "s3api", "create-bucket")
    assert not _named(calls, "ssm", "put-parameter")
    assert account.state()["parameters"] == secrets  # sessions and the origin header survive a deploy
    (deploy,) = _named(calls, "cloudformation", "deploy")
    assert _overrides(deploy)["PublicBaseUrl"] == DISTRIBUTION_URL
    assert _overrides(deploy)["LogRetentionDays"] == "90"


def test_a_stage_with_a_stripe_key_tells_the_api_so(account: FakeAccount) -> None:
    """The key's existence (never its value) goes to the stack: the API decides on Pay without SSM."""
    account.state({**account.state(), "parameters": {"/paydrop/prod/stripe-secret-key": "sk_live_secret"}})
    assert account.run(MAIL_DOMAIN="mail.example.com", ALARM_EMAIL="ops@example.com").returncode == 0
    deploys = _named(account.calls(), "cloudformation", "deploy")
    assert {_overrides(deploy)["StripeConfigured"] for deploy in deploys} == {"true"}
    assert all("sk_live_secret" not in " ".join(deploy) for deploy in deploys)


def test_custom_domain_deploys_once_and_an_own_bucket_is_used(account: FakeAccount) -> None:
    certificate = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    account.state({**account.state(), "buckets": ["my-artifacts"]})
    result = account.run(MAIL_DOMAIN="mail.example.com", ALARM_EMAIL="ops@example.com",
                         CUSTOM_DOMAIN="billing.example.com", CUSTOM_DOMAIN_CERT_ARN=certificate,
                         PAYDROP_ARTIFACTS_BUCKET="my-artifacts")
    assert result.returncode == 0, result.stderr
    calls = account.calls()
    assert not _named(calls, "s3api", "create-bucket")
    (deploy,) = _named(calls, "cloudformation", "deploy")
    assert deploy[deploy.index("--s3-bucket") + 1] == "my-artifacts"
    overrides = _overrides(deploy)
    assert (overrides["CustomDomain"], overrides["CustomDomainCertificateArn"]) == ("billing.example.com", certificate)


@pytest.mark.parametrize(("env", "message"), [
    ({"ALARM_EMAIL": "ops@example.com"}, "set MAIL_DOMAIN"),
    ({"MAIL_DOMAIN": "mail.example.com"}, "set ALARM_EMAIL"),
    ({"MAIL_DOMAIN": "mail.example.com", "ALARM_EMAIL": "ops@example.com", "MAIL_FROM": "me@gmail.com"},
     "must send from an address at MAIL_DOMAIN"),
    ({"MAIL_DOMAIN": "mail.example.com", "ALARM_EMAIL": "ops@example.com", "CUSTOM_DOMAIN": "billing.example.com"},
     "set CUSTOM_DOMAIN and CUSTOM_DOMAIN_CERT_ARN together"),
])
def test_missing_or_inconsistent_settings_stop_before_any_aws_call(account: FakeAccount, env: dict[str, str],
                                                                   message: str) -> None:
    result = account.run(**env)
    assert result.returncode == 2
    assert message in result.stderr
    assert account.calls() == []


def test_unknown_stage_is_refused(account: FakeAccount) -> None:
    result = account.run("staging", MAIL_DOMAIN="mail.example.com", ALARM_EMAIL="ops@example.com")
    assert result.returncode == 2 and "unknown stage 'staging'" in result.stderr
    assert account.calls() == []
