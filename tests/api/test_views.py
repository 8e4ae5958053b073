"""View tracking: opens of share and portal links are logged (source, IP, user agent) and
counted once per viewer (an IP) per window, within per-IP and per-link hourly limits; staff see
the badge and the log; staff previews never count."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import Api, QueueWorker, local_path
from tests.support.client_flows import JSON
from tests.support.portal import client_with_contact, make_document, portal_link


def _views(tenant: Any, doc_id: str) -> dict[str, Any]:
    return tenant.api.get(f"/api/v1/invoices/{doc_id}/views?limit=100").json  # type: ignore[no-any-return]


@pytest.fixture
def from_ip() -> Iterator[Callable[[str], None]]:
    """Make the test client's requests come from another address (API Gateway's sourceIp)."""
    from chalice.local import LambdaEventConverter

    original = LambdaEventConverter.LOCAL_SOURCE_IP

    def use(ip: str) -> None:
        LambdaEventConverter.LOCAL_SOURCE_IP = ip

    yield use
    LambdaEventConverter.LOCAL_SOURCE_IP = original


def test_opens_are_logged_and_refreshing_counts_once(
        tenant: Any, anonymous: Api, views_worker: QueueWorker, from_ip: Callable[[str], None]) -> None:
    invoice = tenant.invoice()
    page = local_path(tenant.share(invoice["id"]))
    for ip in ("198.51.100.1", "198.51.100.1", "198.51.100.1", "198.51.100.2", "198.51.100.3"):
        from_ip(ip)
        if ip.endswith(".2"):
            anonymous.get(page + "?src=email", headers={"User-Agent": "Desktop/2.0 " + "x" * 400})
        elif ip.endswith(".3"):
            anonymous.get(page, headers={**JSON, "User-Agent": "curl/8"})
        else:
            assert anonymous.get(page, headers={"User-Agent": "Phone/1.0"}).status == 200
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


def test_rotating_the_user_agent_from_one_ip_is_one_viewer_and_one_open(
        tenant: Any, anonymous: Api, views_worker: QueueWorker, from_ip: Callable[[str], None]) -> None:
    invoice = tenant.invoice()
    page = local_path(tenant.share(invoice["id"]))
    from_ip("203.0.113.7")
    for n in range(31):
        assert anonymous.get(page, headers={"User-Agent": f"Agent/{n}"}).status == 200
    assert views_worker.drain() == 31
    seen = _views(tenant, invoice["id"])
    assert (seen["view_count"], seen["unique_viewers"]) == (1, 1)
    assert len(seen["items"]) == 31 and sum(e["counted"] for e in seen["items"]) == 1  # every open still logged


def test_many_ips_count_within_the_limits_and_the_rest_are_logged_not_counted(
        tenant: Any, anonymous: Api, views_worker: QueueWorker, from_ip: Callable[[str], None]) -> None:
    from chalicelib.services.portal.view_tracking import MAX_OPENS_PER_LINK

    invoice = tenant.invoice()
    page = local_path(tenant.share(invoice["id"]))
    for n in range(MAX_OPENS_PER_LINK):
        from_ip(f"192.0.2.{n + 1}")
        assert anonymous.get(page).status == 200
    views_worker.drain()
    assert _views(tenant, invoice["id"])["view_count"] == MAX_OPENS_PER_LINK  # all within the limit: counted
    for n in range(5):  # the same hour, more addresses: over the link's limit
        from_ip(f"192.0.2.{100 + n}")
        reply = anonymous.get(page)
        assert reply.status == 200 and invoice["number"] in reply.text  # the page still loads
    views_worker.drain()
    seen = _views(tenant, invoice["id"])
    assert (seen["view_count"], seen["unique_viewers"]) == (MAX_OPENS_PER_LINK, MAX_OPENS_PER_LINK)
    assert len(seen["items"]) == MAX_OPENS_PER_LINK + 5


def test_one_ip_opening_many_links_counts_up_to_its_hourly_limit(tenant: Any) -> None:
    from chalicelib.services.portal.view_tracking import MAX_OPENS_PER_IP, record

    at = "2026-11-30T10:00:00+00:00"
    outcomes = [record({"id": f"v{n}", "at": at, "business_id": tenant.business_id, "doc_id": f"doc{n}",
                        "client_id": None, "source": "link", "ip": "203.0.113.9", "user_agent": None})
                for n in range(MAX_OPENS_PER_IP + 3)]
    assert outcomes.count("counted") == MAX_OPENS_PER_IP and outcomes.count("over limit") == 3
    later = record({"id": "v-next-hour", "at": "2026-11-30T11:00:00+00:00", "business_id": tenant.business_id,
                    "doc_id": "doc0", "client_id": None, "source": "link", "ip": "203.0.113.9", "user_agent": None})
    assert later == "counted"  # the counters are per hour


def test_first_viewed_is_set_once(
        tenant: Any, anonymous: Api, views_worker: QueueWorker, from_ip: Callable[[str], None]) -> None:
    invoice = tenant.invoice()
    page = local_path(tenant.share(invoice["id"]))
    from_ip("198.51.100.10")
    anonymous.get(page)
    views_worker.drain()
    first = _views(tenant, invoice["id"])["first_viewed_at"]
    from_ip("198.51.100.11")
    anonymous.get(page)
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
    client_id, contact_id = client_with_contact(tenant)
    invoice = make_document(tenant, client_id)
    path = portal_link(tenant, client_id, contact_id)
    anonymous.get(path)
    anonymous.get(f"{path}/invoices/{invoice['id']}")
    views_worker.drain()
    seen = _views(tenant, invoice["id"])
    assert seen["view_count"] == 1 and [e["source"] for e in seen["items"]] == ["portal"]
    other = make_tenant("Other")
    assert other.api.get(f"/api/v1/invoices/{invoice['id']}/views").status == 404
