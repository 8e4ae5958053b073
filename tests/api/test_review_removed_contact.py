"""Adversarial review: a removed contact's portal link answers 404 on every portal route, new
ones included (projects, deliverables, messages, notifications, cards, pre-payment, account,
statements, receipts, recurring, subscriptions), however the path's ids are filled in."""
from __future__ import annotations

from app import app
from tests.conftest import Api, Tenant
from tests.support.approvals import awaiting_approval
from tests.support.client_flows import FORM, JSON

PORTAL = sorted((p, m) for p, methods in app.routes.items() if p.startswith("/portal/{token}") for m in methods)


def test_a_removed_contacts_link_is_a_404_on_every_portal_route(tenant: Tenant, anonymous: Api) -> None:
    tenant.api.patch("/api/v1/business", {"stripe_enabled": True, "prepayment_enabled": True})
    b = awaiting_approval(tenant, "Gone Co", "gone@co.test")
    assert anonymous.get(f"{b.portal}/projects/{b.project_id}/deliverables/{b.deliverable_id}").status == 200
    assert tenant.api.delete(f"/api/v1/clients/{b.client_id}/contacts/{b.contact_id}").status in (200, 204)
    ids = {"{project_id}": b.project_id, "{deliverable_id}": b.deliverable_id, "{payment_method}": "pm_x1"}
    answers = {}
    for path, method in PORTAL:
        url = path.replace("/portal/{token}", b.portal)
        for name, value in ids.items():
            url = url.replace(name, value)
        while "{" in url:
            start = url.index("{")
            url = url[:start] + "abcdefghijklmnopqrstuvwxyz" + url[url.index("}") + 1:]
        body = "text=hi&version=1&comment=x&name=X&email=x%40y.test&amount_text=50&from=2026-01-01"
        reply = anonymous.call(method, url, body if method == "POST" else "", headers={**FORM, **JSON})
        answers[f"{method} {path}"] = reply.status
    assert answers == dict.fromkeys(answers, 404)
