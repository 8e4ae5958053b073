"""Coming back from the checkout (`?payment=success`): until the payment is recorded the page
offers no Pay button and reloads itself a bounded number of times; then it shows the receipt
and the files the payment opened."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from chalicelib.domain.formatting import day
from tests.conftest import Api, QueueWorker, local_path
from tests.support.client_flows import FORM
from tests.support.payments import payable_invoice, press_pay

pytestmark = pytest.mark.usefixtures("one_test_per_ip")

REFRESH = re.compile(r'<meta http-equiv="refresh" content="(\d+);url=([^"]+)">')


def _paid_offline(tenant: Any, anonymous: Api) -> dict[str, Any]:
    """Pay in the offline checkout; the webhook is queued, the worker has not run yet."""
    payable = payable_invoice(tenant)
    location = press_pay(anonymous, payable["page"]).headers["Location"]
    done = anonymous.call("POST", local_path(location), "outcome=pay", headers=FORM)
    assert done.status == 303
    return {**payable, "back": local_path(done.headers["Location"])}


def test_while_the_payment_is_confirmed_there_is_no_pay_button_and_the_page_reloads_itself(
        tenant: Any, anonymous: Api, offline_webhook: list[int], stripe_worker: QueueWorker) -> None:
    paid = _paid_offline(tenant, anonymous)
    page = anonymous.get(paid["back"]).text
    assert "confirming" in page
    assert 'data-testid="pay"' not in page  # it used to offer "Pay €100.00" right under "confirming…"
    [(seconds, url)] = REFRESH.findall(page)
    assert int(seconds) <= 5 and url.endswith(paid["page"] + "?payment=success&amp;check=1")
    # Not forever: after the last reload it stops, says so plainly and links to the page.
    last = anonymous.get(paid["page"] + "?payment=success&check=10").text
    assert not REFRESH.search(last) and 'data-testid="pay"' not in last
    assert "taking longer than usual" in last and 'data-testid="check-again"' in last
    assert anonymous.get(paid["page"] + "?payment=success&check=99999").status == 200
    # The same page without the return flag is the ordinary page, with its Pay button.
    assert 'data-testid="pay"' in anonymous.get(paid["page"]).text


def test_once_the_payment_lands_the_page_shows_the_receipt_and_the_files_it_opened(
        tenant: Any, anonymous: Api, offline_webhook: list[int], stripe_worker: QueueWorker) -> None:
    paid = _paid_offline(tenant, anonymous)
    assert stripe_worker.drain() == 1
    page = anonymous.get(paid["page"] + "?payment=success&check=2").text
    assert not REFRESH.search(page) and 'data-testid="pay"' not in page
    receipt = page[page.index('data-testid="receipt"'):]
    assert "Amount paid</dt><dd data-testid=\"amount-paid\">€100.00" in receipt
    assert f"Date</dt><dd>{day(date.today())}" in receipt  # the payment's day, by the business's locale
    assert re.search(r"Reference</dt><dd>pi_offline_\w+", receipt)
    unlocked = page[page.index('data-testid="unlocked-files"'):]
    assert "handbook.pdf" in unlocked[:unlocked.index("</ul>")]
    assert local_path(paid["grant"]["download_url"]) in unlocked[:unlocked.index("</ul>")]
    assert "this invoice is paid" in page


def test_a_declined_payment_offers_pay_again(
        tenant: Any, anonymous: Api, offline_webhook: list[int], stripe_worker: QueueWorker) -> None:
    payable = payable_invoice(tenant)
    location = press_pay(anonymous, payable["page"]).headers["Location"]
    anonymous.call("POST", local_path(location), "outcome=decline", headers=FORM)
    stripe_worker.drain()
    # A client who lands on the success URL anyway is not left waiting for a payment that failed.
    page = anonymous.get(payable["page"] + "?payment=success").text
    assert "did not go through" in page and not REFRESH.search(page) and 'data-testid="pay"' in page


def test_the_portal_invoice_page_behaves_the_same(
        tenant: Any, anonymous: Api, offline_webhook: list[int], stripe_worker: QueueWorker) -> None:
    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True}).status == 200
    invoice = tenant.invoice()
    client_id = invoice["client_id"]
    contact_id = tenant.api.get(f"/api/v1/clients/{client_id}").json["contacts"][0]["contact_id"]
    portal = local_path(tenant.api.post(f"/api/v1/clients/{client_id}/contacts/{contact_id}/portal").json["url"])
    doc_page = f"{portal}/invoices/{invoice['id']}"
    location = anonymous.call("POST", f"{doc_page}/pay", "", headers=FORM).headers["Location"]
    back = anonymous.call("POST", local_path(location), "outcome=pay", headers=FORM).headers["Location"]
    page = anonymous.get(local_path(back)).text
    assert REFRESH.search(page) and 'data-testid="pay"' not in page
    stripe_worker.drain()
    page = anonymous.get(local_path(back)).text
    assert 'data-testid="receipt"' in page and not REFRESH.search(page)


class WorkerDied(Exception):
    pass


def test_a_payment_recorded_but_not_yet_counted_keeps_the_page_confirming(
        tenant: Any, anonymous: Api, offline_webhook: list[int], stripe_worker: QueueWorker,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The ledger entry and the invoice's figures are two writes. Between them (CI once loaded the
    page there) the page said "received, the balance is now 100.00" and stopped reloading, so the
    client never saw the invoice paid. It keeps confirming until the invoice counts the payment."""
    from chalicelib.services.payments import stripe_events

    paid = _paid_offline(tenant, anonymous)

    def dies(*_: object, **__: object) -> None:
        raise WorkerDied  # the worker stops right after writing the entry

    monkeypatch.setattr(stripe_events, "reconcile", dies)
    with pytest.raises(WorkerDied):
        stripe_worker.drain()
    page = anonymous.get(paid["back"]).text
    assert "confirming" in page and REFRESH.search(page)
    assert 'data-testid="receipt"' not in page and 'data-testid="pay"' not in page
    monkeypatch.undo()
    assert stripe_worker.drain() == 1  # SQS redelivers; the repeat finishes the reconcile
    page = anonymous.get(paid["back"]).text
    assert 'data-testid="receipt"' in page and "this invoice is paid" in page and not REFRESH.search(page)
