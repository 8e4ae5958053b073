"""`make dev`'s recurring demo (devstack/seed.py `_seed_recurring`), run on a fresh business: a
monthly retainer with two invoices the real scheduler issued on their days, the first paid."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chalicelib.domain.permissions import ROLE_PERMISSIONS
from chalicelib.domain.principal import Principal
from devstack.seed import _seed_recurring


def test_the_demo_retainer_has_two_invoices_from_the_scheduler(tenant: Any) -> None:
    owner = Principal("seed", tenant.email, tenant.business_id, ("owner",), ROLE_PERMISSIONS["owner"])
    assert tenant.api.patch("/api/v1/business", {"time_zone": "Europe/Berlin"}).status == 200
    today = date.today()
    template_id = _seed_recurring(owner, tenant.client_id(), today)
    detail = tenant.api.get(f"/api/v1/recurring/{template_id}").json
    start = today - timedelta(days=40)
    assert detail["start_date"] == start.isoformat() and detail["cycles_remaining"] == 10
    assert [p["state"] for p in detail["invoices"]] == ["done", "done"]
    invoices = [tenant.api.get(f"/api/v1/invoices/{p['invoice_id']}").json for p in reversed(detail["invoices"])]
    assert invoices[0]["issue_date"] == start.isoformat()
    assert [i["status"] for i in invoices] == ["paid", "sent"]
    grants = [tenant.api.get(f"/api/v1/invoices/{i['id']}/grants").json["items"] for i in invoices]
    assert [[g["state"] for g in found] for found in grants] == [["available"], ["locked"]]
    tenant.api.post(f"/api/v1/recurring/{template_id}/stop")
