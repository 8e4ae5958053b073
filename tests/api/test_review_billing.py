"""Adversarial review of issue 15 (recurring, saved cards, pre-payments, self-service) over HTTP."""
from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.conftest import Api
from tests.support.client_flows import FORM
from tests.support.portal import client_with_contact, make_document, portal_link


def _stall_after_reading_credit(monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """Each caller reads the credit and the invoice, then waits for the others: a true race."""
    from chalicelib.services.billing import credits

    barrier, read, calls = threading.Barrier(parties, timeout=10), credits.store.credit_collection, iter(range(parties))

    def stalled(business_id: str, client_id: str) -> Any:
        found = read(business_id, client_id)
        if next(calls, None) is not None:  # the racing callers only; later reads go straight through
            barrier.wait()
        return found

    monkeypatch.setattr(credits.store, "credit_collection", stalled)


def test_two_tabs_using_credit_on_one_invoice_at_once_pay_it_once(
        tenant: Any, anonymous: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    client_id, contact_id = client_with_contact(tenant)
    invoice = make_document(tenant, client_id, amount=5000)
    tenant.api.post(f"/api/v1/clients/{client_id}/credits", {"amount": 20000})
    path = portal_link(tenant, client_id, contact_id)
    _stall_after_reading_credit(monkeypatch, 2)
    statuses: list[int] = []

    def use() -> None:
        statuses.append(anonymous.call("POST", f"{path}/invoices/{invoice['id']}/use-credit", "", headers=FORM).status)

    threads = [threading.Thread(target=use) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [303, 409]
    shown = tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json
    assert (shown["status"], shown["amount_paid"]) == ("paid", 5000)
    assert tenant.api.get(f"/api/v1/clients/{client_id}/credits").json["available"] == {"EUR": 15000}
