"""Credit notes: staff issue credit to a client and apply it to their invoices; the portal
shows the balance; credit can never be spent twice, even at once."""
from __future__ import annotations

import threading
from typing import Any

from tests.conftest import Api
from tests.support.client_flows import JSON
from tests.support.portal import client_with_contact, make_document, portal_link


def test_credit_is_issued_applied_and_shown_in_the_portal(tenant: Any, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    invoice = make_document(tenant, client_id, amount=10000)
    note = tenant.api.post(f"/api/v1/clients/{client_id}/credits", {"amount": 3000, "reason": "Late delivery"})
    assert note.status == 201 and note.json["number"].startswith("CN-")
    path = portal_link(tenant, client_id, contact_id)
    view = anonymous.get(f"{path}?tab=invoices", headers=JSON).json
    assert view["credit"] == [{"amount": 3000, "currency": "EUR", "display": "€30.00"}]
    applied = tenant.api.post(f"/api/v1/clients/{client_id}/credits/apply", {"invoice_id": invoice["id"]})
    assert applied.status == 200 and (applied.json["status"], applied.json["balance"]) == ("partial", 7000)
    listing = tenant.api.get(f"/api/v1/clients/{client_id}/credits").json
    assert listing["available"] == {"EUR": 0} and listing["applications"][0]["doc_number"] == invoice["number"]
    view = anonymous.get(f"{path}?tab=invoices", headers=JSON).json
    assert view["credit"] == [] and view["outstanding"][0]["amount"] == 7000
    payments = anonymous.get(f"{path}?tab=payments", headers=JSON).json["items"]
    assert [(p["kind"], p["amount"]["amount"]) for p in payments] == [("credit", 3000)]


def test_credit_cannot_be_spent_twice_even_at_once(tenant: Any) -> None:
    client_id, _ = client_with_contact(tenant)
    invoices = [make_document(tenant, client_id, amount=5000) for _ in range(4)]
    tenant.api.post(f"/api/v1/clients/{client_id}/credits", {"amount": 5000})
    statuses: list[int] = []
    barrier = threading.Barrier(len(invoices))

    def apply(invoice_id: str) -> None:
        barrier.wait()
        statuses.append(tenant.api.post(f"/api/v1/clients/{client_id}/credits/apply",
                                        {"invoice_id": invoice_id, "amount": 5000}).status)

    threads = [threading.Thread(target=apply, args=(i["id"],)) for i in invoices]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409, 409, 409]
    assert tenant.api.get(f"/api/v1/clients/{client_id}/credits").json["available"] == {"EUR": 0}
    statuses_after = sorted(tenant.api.get(f"/api/v1/invoices/{i['id']}").json["status"] for i in invoices)
    assert statuses_after == ["paid", "sent", "sent", "sent"]


def test_credit_rules(tenant: Any) -> None:
    client_id, _ = client_with_contact(tenant)
    other_client, _ = client_with_contact(tenant, "Other", "o@portal.test")
    invoice = make_document(tenant, client_id, amount=1000)
    theirs = make_document(tenant, other_client, amount=1000)
    tenant.api.post(f"/api/v1/clients/{client_id}/credits", {"amount": 5000})
    apply = f"/api/v1/clients/{client_id}/credits/apply"
    assert tenant.api.post(apply, {"invoice_id": theirs["id"]}).status == 400
    assert tenant.api.post(apply, {"invoice_id": invoice["id"], "amount": 2000}).status == 400  # more than the balance
    assert tenant.api.post(apply, {"invoice_id": invoice["id"], "amount": 9000}).status == 409  # more than the credit
    assert tenant.api.post(f"/api/v1/clients/{client_id}/credits", {"amount": -5}).status == 400
    assert tenant.api.post(apply, {"invoice_id": invoice["id"]}).json["status"] == "paid"
    assert tenant.api.post(apply, {"invoice_id": invoice["id"]}).status == 409  # paid: nothing to apply to
