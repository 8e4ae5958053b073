"""Adversarial review: every client POST of the portal refuses a cross-site form (another site's
page making the contact's browser post), and every client page — including its 404 — is sent
with CSP without inline script, no-store and noindex."""
from __future__ import annotations

import pytest

from app import app
from tests.conftest import Api, Tenant
from tests.support.client_flows import FORM
from tests.support.portal import client_with_contact, portal_link

PORTAL_POSTS = sorted(p for p, methods in app.routes.items() if p.startswith("/portal/{token}") and "POST" in methods)
PORTAL_GETS = sorted(p for p, methods in app.routes.items() if p.startswith("/portal/{token}") and "GET" in methods)
CROSS_SITE = [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.test"}]


def _fill(path: str, token_path: str) -> str:
    out = path.replace("/portal/{token}", token_path)
    for name in ("project_id", "deliverable_id", "doc_id", "payment_id", "subscription_id", "notification_id",
                 "conversation_id", "resource_id", "template_id", "plan_id"):
        out = out.replace("{" + name + "}", "0123456789abcdef0123456789abcdef"[:26])
    return out.replace("{payment_method}", "pm_0123456789")


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_every_portal_post_refuses_another_sites_form(tenant: Tenant, anonymous: Api, headers: dict[str, str]) -> None:
    client_id, contact_id = client_with_contact(tenant, "Csrf Co", "cs@rf.test")
    base = portal_link(tenant, client_id, contact_id)
    answers = {p: anonymous.call("POST", _fill(p, base), "text=hi&amount_text=50&version=1&name=X&email=x%40y.test",
                                 headers={**FORM, **headers}).status for p in PORTAL_POSTS}
    assert answers == dict.fromkeys(answers, 403)


def test_every_portal_page_sends_csp_no_store_and_noindex_even_when_not_found(tenant: Tenant, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant, "Head Co", "he@ad.test")
    base = portal_link(tenant, client_id, contact_id)
    wrong = []
    for path in PORTAL_GETS:
        reply = anonymous.get(_fill(path, base), headers={"Accept": "text/html"})
        h = {k.lower(): v for k, v in reply.headers.items()}
        csp = h.get("content-security-policy", "")
        directives = {d.split()[0]: d for d in (x.strip() for x in csp.split(";")) if d}
        scripts = directives.get("script-src", directives.get("default-src", "'unsafe-inline'"))
        ok = ("no-store" in h.get("cache-control", "") and "noindex" in h.get("x-robots-tag", "")
              and "'unsafe-inline'" not in scripts and "*" not in scripts)
        if not ok:
            wrong.append((path, reply.status, h.get("cache-control"), h.get("x-robots-tag"), csp[:60]))
    assert wrong == []
