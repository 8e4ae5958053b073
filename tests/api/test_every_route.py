"""Every route of the app, walked: staff routes refuse who they should, client routes behind a
token refuse an unknown one. A new route joins the walk by being registered: a staff route
without a recorded permission, or a client route whose token is not looked up, fails here."""
from __future__ import annotations

import re
import secrets
from typing import Any

import pytest

from app import app
from chalicelib.api.http import STAFF_PERMISSIONS
from chalicelib.domain.permissions import ROLE_PERMISSIONS
from chalicelib.domain.tokens import new_id
from tests.conftest import PASSWORD, Api, Tenant, sign_in, unique_email

ROUTES = sorted((path, method) for path, methods in app.routes.items() for method in methods)
# Staff routes anyone may call: signing in is how a token is obtained.
PUBLIC_STAFF = {("/api/v1/auth/login", "POST"), ("/api/v1/auth/refresh", "POST")}
STAFF = [(p, m) for p, m in ROUTES if p.startswith("/api/v1/") and (p, m) not in PUBLIC_STAFF]
# Client routes with something to look up in their path: a token, an id, a checkout session, an asset.
CLIENT = [(p, m) for p, m in ROUTES if not p.startswith("/api/v1/") and "{" in p]
_PARAM = re.compile(r"\{(\w+)\}")
# Forms a client page decodes before it looks the token up: a valid one, so the lookup decides.
FORMS = {
    "/checkout/offline/{session_id}": b"outcome=pay",
    "/claim/{token}": b"email=ada%40acme.test",
    "/signin/{business_id}": b"email=ada%40acme.test",
    "/portal/{token}/projects/{project_id}/deliverables/{deliverable_id}/approve": b"version=1",
    "/portal/{token}/projects/{project_id}/deliverables/{deliverable_id}/request-changes": b"version=1&comment=Bigger",
    "/portal/{token}/projects/{project_id}/deliverables/{deliverable_id}/comment": b"text=Hello",
    "/register/{token}": b"name=Ada&email=ada%40acme.test",
    "/portal/{token}/account": b"name=Ada",
    "/portal/{token}/account/email": b"email=ada%40acme.test",
    "/portal/{token}/statement/email": b"from=2026-01-01",
    "/checkout/offline-cards/{session_id}": b"card=4242",
    "/portal/{token}/pre-payment": b"amount_text=50.00",
    "/portal/{token}/subscriptions/{subscription_id}/plan": b"price_id=price_pro",
    "/buy/{token}": b"email=ada%40acme.test",
}


def _unknown(name: str) -> str:
    """A well-formed value that names nothing: it passes every shape check and reaches the lookup."""
    if name == "token":
        return secrets.token_urlsafe(32)
    if name == "session_id":
        return f"cs_offline_{new_id()}_{new_id()}_{new_id()}"
    if name == "asset":
        return "unknown.js"
    return new_id()


def _filled(path: str) -> str:
    return _PARAM.sub(lambda m: _unknown(m.group(1)), path)


def _lacking(permission: str) -> str | None:
    """The role with the most permissions that still lacks `permission` (None: every role has it)."""
    lacking = [role for role, granted in ROLE_PERMISSIONS.items() if permission not in granted]
    return max(lacking, key=lambda role: len(ROLE_PERMISSIONS[role]), default=None)


def _without_role(http: Any, tenant: Tenant) -> Api:
    """A signed-in member of `tenant`'s business in no group: their token grants no permission."""
    from chalicelib.aws import cognito
    from chalicelib.config import settings
    from chalicelib.services.accounts import onboarding

    email = unique_email("norole")
    onboarding.add_staff_member(tenant.business_id, email, PASSWORD, "viewer")
    cognito().admin_remove_user_from_group(UserPoolId=settings().user_pool_id, Username=email, GroupName="viewer")
    return Api(http, sign_in(email))


def test_the_walk_covers_every_route() -> None:
    assert len(STAFF) > 60 and len(CLIENT) > 15
    assert set(STAFF) | set(CLIENT) | PUBLIC_STAFF <= set(ROUTES)


@pytest.mark.parametrize("path, method", STAFF, ids=[f"{m} {p}" for p, m in STAFF])
def test_a_staff_route_refuses_no_token_and_a_role_without_its_permission(
    path: str, method: str, http: Any, tenant: Tenant, member_of: Any, anonymous: Api
) -> None:
    permission = STAFF_PERMISSIONS.get((method, path))
    assert permission, f"{method} {path} is not registered with staff_route: it requires no permission"
    assert app.routes[path][method].authorizer is not None, "API Gateway must check the token too"
    url = _filled(path)
    assert anonymous.call(method, url, {}).status == 401
    role = _lacking(permission)
    member = member_of(tenant, role) if role else _without_role(http, tenant)
    reply = member.call(method, url, {})
    assert reply.status == 403, (role, reply.body)
    assert reply.error["code"] == "forbidden"


@pytest.mark.parametrize("path, method", CLIENT, ids=[f"{m} {p}" for p, m in CLIENT])
def test_a_client_route_answers_404_for_an_unknown_token(path: str, method: str, anonymous: Api) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    sent = FORMS.get(path, b"") if method == "POST" else b""
    reply = anonymous.call(method, _filled(path), sent, headers=form)
    assert reply.status == 404, reply.body[:300]
