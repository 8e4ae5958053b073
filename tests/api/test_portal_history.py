"""A client with years of history: the portal's first page still costs three DynamoDB calls and
shows one page, and its "more" link pages on; a tampered cursor is a 400 in words."""
from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Api
from tests.support.portal import client_with_contact, portal_link

pytestmark = pytest.mark.usefixtures("one_test_per_ip")
HISTORY = 5000


def _documents(business_id: str, client_id: str) -> Iterator[Any]:
    """HISTORY invoices over five years, the last three still open, the rest paid."""
    from chalicelib.domain import invoices as rules
    from chalicelib.store import documents as docs
    from chalicelib.store.table import iso

    start = datetime(2021, 12, 1, 9, tzinfo=UTC)
    for n in range(HISTORY):
        issued = start + timedelta(hours=8 * n)
        paid = n < HISTORY - 3
        yield docs.new_document(
            business_id, f"hist{n:08d}", rules.INVOICE, iso(issued), number=f"H-{n + 1:05d}",
            status=rules.PAID if paid else rules.SENT, client_id=client_id, bill_to=docs.BillTo(name="Acme"),
            currency="EUR", issue_date=issued.date().isoformat(), due_date="2099-01-01", total=1000,
            amount_paid=1000 if paid else 0, updated_at=iso(issued))


@pytest.fixture
def long_history(tenant: Any) -> Iterator[tuple[str, str]]:
    """A client with HISTORY invoices written with BatchWriteItem (removed afterwards: moto
    answers every index query by reading the whole table, and the suite shares it)."""
    from chalicelib.store.table import BaseItem

    client_id, contact_id = client_with_contact(tenant)
    items = list(_documents(tenant.business_id, client_id))
    with BaseItem.batch_write() as batch:
        for item in items:
            batch.save(item)
    try:
        yield client_id, portal_link(tenant, client_id, contact_id)
    finally:
        with BaseItem.batch_write() as batch:
            for item in items:
                batch.delete(item)


def test_five_thousand_invoices_cost_four_calls_page_on_and_refuse_a_tampered_cursor(
        long_history: tuple[str, str], anonymous: Api, dynamodb_calls: list[str]) -> None:
    _, path = long_history
    dynamodb_calls.clear()
    first = anonymous.get(f"{path}?tab=invoices", headers={"Accept": "application/json"})
    # 3 calls, plus the one Query of the client's grants that lists each invoice's files (issue 17)
    assert first.status == 200 and len(dynamodb_calls) <= 4 and "Scan" not in dynamodb_calls, dynamodb_calls
    page = first.json
    assert [i["number"] for i in page["items"][:3]] == ["H-04998", "H-04999", "H-05000"]  # open first (same due date)
    assert len(page["items"]) == 25 and page["next_cursor"]
    assert page["items"][3]["number"] == "H-04997"  # then the paid ones, newest first
    dynamodb_calls.clear()
    more = anonymous.get(f"{path}?tab=invoices&cursor={page['next_cursor']}", headers={"Accept": "application/json"})
    assert more.status == 200 and len(dynamodb_calls) <= 4, dynamodb_calls
    assert [i["number"] for i in more.json["items"][:2]] == ["H-04975", "H-04974"] and len(more.json["items"]) == 25
    html = anonymous.get(path).text
    assert "cursor=" in html  # the page links to the next one
    # A tampered cursor is a 400 in words (one test with the above: seeding 5,000 items takes ~10 s).
    cursor = page["next_cursor"]
    key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    key["gsi2pk"]["S"] = key["gsi2pk"]["S"].replace("#CLIENT#", "#CLIENT#x")  # another client's partition
    forged = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
    for bad in (forged, cursor[:-4], "not-a-cursor"):
        reply = anonymous.get(f"{path}?tab=invoices&cursor={bad}", headers={"Accept": "application/json"})
        assert reply.status == 400 and reply.json["error"]["message"] == "The cursor is not valid.", reply.body
