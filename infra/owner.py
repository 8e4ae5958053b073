"""A business and its first owner in a deployed stage: `make owner STAGE=prod EMAIL=you@example.com`.

Reads the table and user pool from the stack's outputs (`paydrop-<stage>`), then runs the app's
own onboarding (`chalicelib.services.accounts.onboarding.open_business`): the business profile
item in the table and a Cognito user carrying its id, in the `owner` group, with a permanent
password (the app's sign-in does not answer Cognito's NEW_PASSWORD_REQUIRED challenge).

Run from the repository root as `python -m infra.owner --stage prod --email you@example.com`
with credentials allowed to describe the stack, write the table and administer the pool.
"""
from __future__ import annotations

import argparse
import os
import secrets
import string
import sys
from collections.abc import Sequence
from dataclasses import dataclass

STAGES = ("dev", "prod")
NEEDED_OUTPUTS = ("TableName", "UserPoolId", "UserPoolClientId")


class OwnerError(Exception):
    """Why no owner was created, in words for the person running the command."""


@dataclass(frozen=True)
class Owner:
    business_id: str
    email: str
    password: str


def valid_email(email: str) -> str:
    """`email` if it is one bare address (the app's own rule, `domain/inputs.py`); raises OwnerError."""
    import msgspec

    from chalicelib.domain.inputs import Email

    try:
        return msgspec.convert(email.strip(), Email)
    except msgspec.ValidationError:
        raise OwnerError(f"{email!r} is not an email address like name@example.com.") from None


def new_password() -> str:
    """A password the pool accepts (12+ characters with upper, lower case and a digit)."""
    while True:
        password = secrets.token_urlsafe(18)
        if (any(c in string.ascii_uppercase for c in password) and any(c in string.ascii_lowercase for c in password)
                and any(c in string.digits for c in password)):
            return password


def stack_outputs(stack: str) -> dict[str, str]:
    """The stack's outputs by key; raises OwnerError when the stack or an output is missing."""
    from botocore.exceptions import ClientError

    from chalicelib.aws import client

    try:
        (described,) = client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    except ClientError as e:
        raise OwnerError(f"stack {stack} cannot be read ({e.response['Error'].get('Message', e)}): "
                         f"deploy it first (make deploy) or check the region and credentials.") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    missing = [key for key in NEEDED_OUTPUTS if key not in outputs]
    if missing:
        raise OwnerError(f"stack {stack} has no output {', '.join(missing)}: is it a Paydrop stack, fully deployed?")
    return outputs


def use_stack(stage: str, outputs: dict[str, str]) -> None:
    """Point settings, clients and models of this process at the stage's table and pool."""
    from chalicelib.aws import reset_clients
    from chalicelib.config import reset_settings
    from chalicelib.store.table import reset_connections

    os.environ.update(PAYDROP_STAGE=stage, TABLE_NAME=outputs["TableName"], USER_POOL_ID=outputs["UserPoolId"],
                      USER_POOL_CLIENT_ID=outputs["UserPoolClientId"])
    reset_settings()
    reset_clients()
    reset_connections()


def existing_business(email: str) -> str | None:
    """The business id of the staff account `email` already has, `""` if it has none, None if no account."""
    from chalicelib.aws import cognito
    from chalicelib.config import settings
    from chalicelib.services.identity.staff_auth import BUSINESS_CLAIM

    idp = cognito()
    try:
        user = idp.admin_get_user(UserPoolId=settings().user_pool_id, Username=email)
    except idp.exceptions.UserNotFoundException:
        return None
    attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
    return attributes.get(BUSINESS_CLAIM, "")


def create_owner(stage: str, email: str, business: str, currency: str, password: str | None = None) -> Owner:
    """The business `business` and its owner `email` in the stage's stack; raises OwnerError."""
    from botocore.exceptions import ClientError

    from chalicelib.domain.errors import Conflict, ValidationError
    from chalicelib.services.accounts.onboarding import open_business

    email = valid_email(email)
    stack = f"paydrop-{stage}"
    use_stack(stage, stack_outputs(stack))
    # Checked first: open_business writes the business before the user, and an address already
    # in the pool would leave a business nobody can sign in to.
    found = existing_business(email)
    if found is not None:
        raise OwnerError(f"{email} already has a staff account in {stack}'s user pool"
                         + (f" (business {found})" if found else "") + ": nothing was created.")
    password = password or new_password()
    try:
        created = open_business(business, email, password, currency=currency)
    except (ValidationError, Conflict) as e:
        raise OwnerError(str(e)) from None
    except ClientError as e:  # a Cognito refusal (e.g. the password policy), in its own words
        raise OwnerError(str(e.response.get("Error", {}).get("Message") or e)) from None
    return Owner(created.business_id, email, password)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make owner", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, choices=STAGES)
    parser.add_argument("--email", required=True, help="the owner's address: their sign-in name")
    parser.add_argument("--business", default="", help="the business's name (default: the email's domain)")
    parser.add_argument("--currency", default="EUR", help="ISO code of the business's currency (default EUR)")
    parser.add_argument("--password", default=os.environ.get("OWNER_PASSWORD") or None,
                        help="default: a new random one, printed once (or OWNER_PASSWORD)")
    args = parser.parse_args(argv)
    business = args.business or args.email.strip().rpartition("@")[2] or "My business"
    try:
        owner = create_owner(args.stage, args.email, business, args.currency.upper(), args.password)
    except OwnerError as e:
        print(f"make owner: {e}", file=sys.stderr)
        return 1
    print(f"make owner: business {business!r} ({owner.business_id}) with owner {owner.email}")
    if not args.password:
        print(f"make owner: password (shown once): {owner.password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
