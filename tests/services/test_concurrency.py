"""Races: two people doing the same thing at once — exactly one effect, nothing lost or doubled."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from chalicelib.domain.errors import Conflict
from chalicelib.domain.inputs import PaymentInput
from chalicelib.services.billing import documents
from chalicelib.services.billing import share_link as sharing
from chalicelib.services.identity.staff_auth import verify_id_token


def _race(n: int, action: Callable[[], Any]) -> list[Any]:
    """Run `action` on n threads released together; return results or exceptions."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = action()
        except Exception as e:
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_staff_sharing_at_once_get_the_same_link(tenant: Any) -> None:
    invoice = tenant.invoice()
    principal = verify_id_token(tenant.api.token)
    tokens = _race(4, lambda: sharing.share_invoice(principal, invoice["id"]))
    assert all(isinstance(t, str) for t in tokens), tokens
    assert len(set(tokens)) == 1


def test_two_full_payments_at_once_apply_exactly_once(tenant: Any) -> None:
    invoice = tenant.invoice(lines=[{"description": "x", "unit_price": 5000}])
    principal = verify_id_token(tenant.api.token)
    results = _race(4, lambda: documents.record_payment(principal, invoice["id"], PaymentInput(), invoice_date()))
    winners = [r for r in results if isinstance(r, tuple)]
    assert len(winners) == 1, results
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, tuple))
    stored = tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json
    assert stored["amount_paid"] == 5000 and stored["status"] == "paid"
    assert [p["amount"] for p in stored["payments"]] == [5000]


def test_concurrent_invoice_creation_never_reuses_a_number(tenant: Any) -> None:
    from chalicelib.domain.inputs import DocumentInput

    principal = verify_id_token(tenant.api.token)
    client_id = tenant.client_id()
    docs = _race(6, lambda: documents.create_document(principal, "invoice", DocumentInput(client_id=client_id), invoice_date()))
    numbers = sorted(d.number for d in docs)
    assert numbers == [f"INV-{i:04d}" for i in range(1, 7)]


def invoice_date() -> Any:
    from datetime import date

    return date.today()


def test_four_clients_racing_for_the_last_download_one_gets_it(tenant: Any, anonymous: Any) -> None:
    from tests.conftest import local_path

    invoice = tenant.invoice()
    grant = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/resources",
                            {"resource_id": tenant.file(), "policy": "visible", "download_limit": 1}).json
    path = local_path(grant["download_url"])
    # Four clients, four browsers: the same browser restarting would be one client (not counted twice).
    browsers = iter(range(4))
    statuses = _race(4, lambda: anonymous.get(path, headers={"User-Agent": f"browser {next(browsers)}"}).status)
    assert sorted(statuses) == [302, 403, 403, 403]
    [stored] = tenant.api.get(f"/api/v1/invoices/{invoice['id']}/grants").json["items"]
    assert stored["downloads"] == 1


def test_a_full_payment_recorded_while_the_first_is_still_settling_is_refused(tenant: Any, monkeypatch: Any) -> None:
    """The race above, made certain: a second person's full payment lands between the first one's
    transaction and its reconcile (what a busy machine does to the four threads now and then)."""
    invoice = tenant.invoice(lines=[{"description": "x", "unit_price": 5000}])
    principal = verify_id_token(tenant.api.token)
    settle = documents.reconcile
    second: list[Any] = []

    def another_payment_first(business_id: str, doc_id: str) -> Any:
        if not second:
            second.append("running")
            try:
                second[0] = documents.record_payment(principal, invoice["id"], PaymentInput(), invoice_date())
            except Exception as e:
                second[0] = e
        return settle(business_id, doc_id)

    monkeypatch.setattr(documents, "reconcile", another_payment_first)
    documents.record_payment(principal, invoice["id"], PaymentInput(), invoice_date())
    assert isinstance(second[0], Conflict), second
    stored = tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json
    assert stored["amount_paid"] == 5000 and stored["status"] == "paid"
    assert [p["amount"] for p in stored["payments"]] == [5000]


def test_two_browsers_whose_requests_interleave_are_two_clients(tenant: Any, anonymous: Any, monkeypatch: Any) -> None:
    """The download race above, made certain: both requests are taken in (Chalice keeps the one
    being handled on the app) before either view runs, as a busy machine interleaves threads.
    Each view must still see its own request: one browser downloads, the other is refused."""
    from chalice.app import RestAPIEventHandler

    from tests.conftest import local_path

    invoice = tenant.invoice()
    grant = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/resources",
                            {"resource_id": tenant.file(), "policy": "visible", "download_limit": 1}).json
    path = local_path(grant["download_url"])
    both_in = threading.Barrier(2, timeout=10)
    handle = RestAPIEventHandler.__call__

    def after_both_are_taken_in(self: Any, event: Any, context: Any) -> Any:
        both_in.wait()
        return handle(self, event, context)

    monkeypatch.setattr(RestAPIEventHandler, "__call__", after_both_are_taken_in)
    browsers = iter(range(2))
    statuses = _race(2, lambda: anonymous.get(path, headers={"User-Agent": f"browser {next(browsers)}"}).status)
    monkeypatch.undo()
    assert sorted(statuses) == [302, 403]
    [stored] = tenant.api.get(f"/api/v1/invoices/{invoice['id']}/grants").json["items"]
    assert stored["downloads"] == 1


def test_the_local_dynamodb_still_applies_one_transaction_at_a_time(aws: Any) -> None:
    """The races above test our code only while moto's writes are atomic (devstack/moto_atomic.py,
    patched once per process by start_moto): checked here, late in the worker, after every other
    test that starts its own moto server or points the process elsewhere has run."""
    from chalicelib.aws import client
    from devstack.moto_atomic import _lock

    dynamodb = client("dynamodb")
    item = {"pk": {"S": "TEST#atomic"}, "sk": {"S": "TEST#atomic"}, "type": {"S": "test"}}
    done = threading.Event()

    def write() -> None:
        dynamodb.transact_write_items(TransactItems=[{"Put": {"TableName": aws.table_name, "Item": item}}])
        done.set()

    writer = threading.Thread(target=write)
    with _lock:  # what another request's write holds while it runs
        writer.start()
        assert not done.wait(0.5), "a transaction ran while another write held the table"
    writer.join(timeout=10)
    assert done.is_set()
    dynamodb.delete_item(TableName=aws.table_name, Key={"pk": item["pk"], "sk": item["sk"]})
