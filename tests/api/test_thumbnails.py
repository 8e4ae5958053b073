"""Thumbnails in lists: pages show the worker's previews (presigned, short-lived), never the
file; a locked resource shows one only when staff allowed a preview before payment."""
from __future__ import annotations

import io
from typing import Any

import requests
from PIL import Image

from tests.conftest import Api, QueueWorker, local_path
from tests.support.client_flows import JSON, attach


def _photo(tenant: Any, previews_worker: QueueWorker, **flags: Any) -> str:
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), "teal").save(out, "JPEG")
    content = out.getvalue()
    made = tenant.api.post("/api/v1/resources", {"kind": "file", "title": "Photo", **flags, "file": {
        "filename": "photo.jpg", "size": len(content), "content_type": "image/jpeg"}}).json
    plan, rid = made["upload"], made["resource"]["resource_id"]
    requests.post(plan["url"], data=plan["fields"], files={"file": ("f", content, "image/jpeg")}, timeout=10)
    assert tenant.api.post(f"/api/v1/resources/{rid}/upload/confirm").status == 200
    previews_worker.drain()  # the S3 event → the previews worker
    return str(rid)


def _thumbnail_bytes(url: str) -> bytes:
    assert "X-Amz-Expires=300" in url and "previews/" in url
    return requests.get(url, timeout=10).content


def test_staff_lists_show_thumbnails_never_the_file(tenant: Any, previews_worker: QueueWorker) -> None:
    rid = _photo(tenant, previews_worker)
    [item] = tenant.api.get("/api/v1/resources").json["items"]
    assert item["preview_status"] == "ready" and "photo.jpg" not in item["preview_url"]
    small = Image.open(io.BytesIO(_thumbnail_bytes(item["preview_url"])))
    assert small.format == "WEBP" and max(small.size) == 160
    assert tenant.api.get(f"/api/v1/resources/{rid}").json["preview_large_url"]


def test_a_locked_file_shows_no_thumbnail_until_paid(
        tenant: Any, anonymous: Api, previews_worker: QueueWorker) -> None:
    invoice = tenant.invoice()
    attach(tenant, _photo(tenant, previews_worker), "invoice", invoice["id"], "after_payment")
    page = local_path(tenant.share(invoice["id"]))
    [locked] = anonymous.get(page, headers=JSON).json["invoice"]["resources"]
    assert locked["preview_url"] is None
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {})
    [paid] = anonymous.get(page, headers=JSON).json["invoice"]["resources"]
    assert paid["preview_url"] and _thumbnail_bytes(paid["preview_url"])[:4] == b"RIFF"
    assert 'class="thumb"' in anonymous.get(page).text


def test_product_images_show_before_payment_and_staff_can_turn_it_off(
        tenant: Any, anonymous: Api, previews_worker: QueueWorker) -> None:
    invoice = tenant.invoice()
    rid = _photo(tenant, previews_worker, product_image=True)
    attach(tenant, rid, "invoice", invoice["id"], "after_payment")
    page = local_path(tenant.share(invoice["id"]))
    assert anonymous.get(page, headers=JSON).json["invoice"]["resources"][0]["preview_url"]
    assert tenant.api.patch(f"/api/v1/resources/{rid}", {"preview_before_payment": False}).status == 200
    assert anonymous.get(page, headers=JSON).json["invoice"]["resources"][0]["preview_url"] is None


def test_the_invoice_page_still_costs_three_reads_with_thumbnails(
        tenant: Any, anonymous: Api, previews_worker: QueueWorker, dynamodb_calls: list[str]) -> None:
    invoice = tenant.invoice()
    for _ in range(3):
        attach(tenant, _photo(tenant, previews_worker), "invoice", invoice["id"], "visible")
    page = local_path(tenant.share(invoice["id"]))
    dynamodb_calls.clear()
    resources = anonymous.get(page, headers=JSON).json["invoice"]["resources"]
    assert len(dynamodb_calls) == 3 and all(r["preview_url"] for r in resources)
