from __future__ import annotations

from typing import Any


def test_probe(tenant: Any) -> None:
    for body in ({"prepayment_minimum": -5}, {"prepayment_minimum": 10**15}, {"prepayment_minimum": "5"},
                 {"prepayment_enabled": True}, {"prepayment_minimum": 0}):
        r = tenant.api.patch("/api/v1/business", body)
        print(body, r.status, r.body[:200])
    inv = tenant.invoice(sent=False)
    from datetime import date
    r = tenant.api.post("/api/v1/recurring", {"invoice_id": inv["id"], "frequency": "monthly",
                                              "start_date": date.today().isoformat(), "end": "on_date", "end_date": date.today().isoformat()})
    print(r.status, r.json.get("cycles_remaining"), r.json.get("status"))
    rid = r.json["id"]
    for body in ({"end_date": "2020-01-01"}, {"end": "after"}, {"end": "after", "end_after": 1}, {"start_date": "2020-01-01"}):
        r = tenant.api.patch(f"/api/v1/recurring/{rid}", body)
        print(body, r.status, r.body[:200])
