"""A new business with its first staff member (the owner), and more staff for it."""
from __future__ import annotations

from chalicelib.aws import cognito
from chalicelib.config import settings
from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.money import is_currency
from chalicelib.domain.permissions import ROLES
from chalicelib.domain.tokens import new_id
from chalicelib.services.identity.staff_auth import BUSINESS_CLAIM
from chalicelib.store.businesses import Business, create_business


def add_staff_member(business_id: str, email: str, password: str, role: str) -> str:
    """A Cognito user bound to `business_id` with `role`; returns the user's sub."""
    if role not in ROLES:
        raise ValidationError(f"Role must be one of {', '.join(ROLES)}.", field="role")
    idp = cognito()
    pool = settings().user_pool_id
    try:
        user = idp.admin_create_user(
            UserPoolId=pool, Username=email, MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": BUSINESS_CLAIM, "Value": business_id},
            ],
        )
    except idp.exceptions.UsernameExistsException as e:
        raise Conflict("A staff member with this email already exists.", field="email") from e
    idp.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=role)
    attributes = {a["Name"]: a["Value"] for a in user["User"]["Attributes"]}
    return attributes.get("sub", email)


def open_business(name: str, owner_email: str, owner_password: str, currency: str = "EUR", **profile: object) -> Business:
    """Create a business and its owner account."""
    if not is_currency(currency):
        raise ValidationError("Unknown currency code.", field="currency")
    business = create_business(new_id(), name, currency=currency, **profile)
    add_staff_member(business.business_id, owner_email, owner_password, "owner")
    return business
