"""View tracking: opens of share and portal links are logged (source, IP, user agent) and
counted once per viewer per window; staff see the badge and the log; staff previews never count."""
from __future__ import annotations

from typing import Any

from tests.api.client_flows import JSON
from tests.api.test_portal import _client_with_contact, _document, _portal
from tests.conftest import Api, QueueWorker, local_path


def _views(tenant: Any, doc_id: str) -> dict[str, Any]:
    return tenant.api.get(f"/api/v1/invoices/{doc_id}/views").json  # type: ignore[no-any-return]


def test_opens_are_logged_and_refreshing_counts_once(tenant: Any, anonymous: Api, views_worker: QueueWorker) -> None:
    invoice = tenant.invoice()
    page = local_path(tenant.share(invoice["id"]))
    for _ in range(3):
        assert anonymous.get(page, headers={"User-Agent": "Phone/1.0"}).status == 200
    anonymous.get(page + "?src=email", headers={"User-Agent": "Desktop/2.0 " + "x" * 400})
    anonymous.get(page, headers={**JSON, "User-Agent": "curl/8"})
    assert views_worker.drain() == 5
    seen = _views(tenant, invoice["id"])
    assert (seen["view_count"], seen["unique_viewers"]) == (3, 3)
    assert seen["first_viewed_at"] and seen["last_viewed_at"] >= seen["first_viewed_at"]
    log = seen["items"]
    assert len(log) == 5 and sorted(e["source"] for e in log) == ["api", "email", "link", "link", "link"]
    assert sum(e["counted"] for e in log) == 3
    assert all(len(e["user_agent"] or "") <= 256 for e in log) and all(e["ip"] for e in log)
    [listed] = [d for d in tenant.api.get("/api/v1/invoices").json["items"] if d["id"] == invoice["id"]]
    assert listed["views"]["view_count"] == 3


def test_first_viewed_is_set_once(tenant: Any, anonymous: Api, views_worker: QueueWorker) -> None:
    invoice = tenant.invoice()
    page = local_path(tenant.share(invoice["id"]))
    anonymous.get(page, headers={"User-Agent": "A"})
    views_worker.drain()
    first = _views(tenant, invoice["id"])["first_viewed_at"]
    anonymous.get(page, headers={"User-Agent": "B"})
    views_worker.drain()
    later = _views(tenant, invoice["id"])
    assert later["first_viewed_at"] == first and later["last_viewed_at"] > first and later["view_count"] == 2


def test_staff_previews_never_count_and_the_page_stays_at_three_reads(
        tenant: Any, anonymous: Api, views_worker: QueueWorker, dynamodb_calls: list[str]) -> None:
    invoice = tenant.invoice()
    preview = tenant.api.get(f"/api/v1/invoices/{invoice['id']}/preview")
    assert preview.status == 200 and invoice["number"] in preview.text
    page = local_path(tenant.share(invoice["id"]))
    dynamodb_calls.clear()
    anonymous.get(page)
    assert len(dynamodb_calls) == 3  # tracking is one SQS message, not a DynamoDB call
    views_worker.drain()
    assert _views(tenant, invoice["id"])["view_count"] == 1


def test_portal_opens_count_for_the_document_with_source_portal(
        tenant: Any, anonymous: Api, views_worker: QueueWorker, make_tenant: Any) -> None:
    client_id, contact_id = _client_with_contact(tenant)
    invoice = _document(tenant, client_id)
    path = _portal(tenant, client_id, contact_id)
    anonymous.get(path)
    anonymous.get(f"{path}/invoices/{invoice['id']}")
    views_worker.drain()
    seen = _views(tenant, invoice["id"])
    assert seen["view_count"] == 1 and [e["source"] for e in seen["items"]] == ["portal"]
    other = make_tenant("Other")
    assert other.api.get(f"/api/v1/invoices/{invoice['id']}/views").status == 404
