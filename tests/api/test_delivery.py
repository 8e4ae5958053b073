"""Payment-gated delivery: files on an invoice unlock when it is paid in full, and every
download is decided, logged and counted at the moment the link is redeemed."""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.conftest import Api, local_path
from tests.support.exports import export_csv

CONTENT = b"The secret handbook, v1."


def _file(tenant: Any, content: bytes = CONTENT, name: str = "handbook.pdf") -> str:
    return str(tenant.file(content, name))


_local = local_path


@pytest.fixture
def gated(tenant: Any) -> dict[str, Any]:
    """A sent, shared €100.00 invoice with a file attached `after_payment`."""
    invoice = tenant.invoice(lines=[{"description": "Course", "unit_price": 10000}])
    attach = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/resources",
                             {"resource_id": _file(tenant), "policy": "after_payment"})
    assert attach.status == 201
    return {"tenant": tenant, "invoice": invoice, "grant": attach.json, "page": _local(tenant.share(invoice["id"]))}


def _page(anonymous: Api, path: str) -> dict[str, Any]:
    return anonymous.get(path, headers={"Accept": "application/json"}).json["invoice"]  # type: ignore[no-any-return]


def test_before_payment_the_file_is_listed_as_available_after_payment(gated: dict[str, Any], anonymous: Api) -> None:
    [resource] = _page(anonymous, gated["page"])["resources"]
    assert resource["status"] == "available after payment" and resource["download_url"] is None
    assert "available after payment" in anonymous.get(gated["page"]).text
    denied = anonymous.get(_local(gated["grant"]["download_url"]))
    assert denied.status == 403
    assert "once the invoice is paid in full" in denied.text
    assert "Location" not in denied.headers and "X-Amz-Signature" not in denied.text


def test_a_partial_payment_keeps_it_locked(gated: dict[str, Any], anonymous: Api) -> None:
    tenant, invoice = gated["tenant"], gated["invoice"]
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {"amount": 6000})
    page = _page(anonymous, gated["page"])
    assert page["resources"][0]["status"] == "available after payment"
    assert page["balance"]["display"] == "€40.00"
    assert anonymous.get(_local(gated["grant"]["download_url"])).status == 403


def test_paying_in_full_unlocks_and_the_download_is_a_short_presigned_attachment(gated: dict[str, Any], anonymous: Api) -> None:
    tenant, invoice = gated["tenant"], gated["invoice"]
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {})
    [resource] = _page(anonymous, gated["page"])["resources"]
    assert resource["status"] == "available" and resource["download_url"] == gated["grant"]["download_url"]
    reply = anonymous.get(_local(resource["download_url"]))
    assert reply.status == 302
    assert reply.headers["Cache-Control"] == "no-store"
    location = reply.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["60"] and query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["response-content-disposition"] == ['attachment; filename="handbook.pdf"']
    assert requests.get(location, timeout=10).content == CONTENT


def test_download_limits_count_redemptions(tenant: Any, anonymous: Api) -> None:
    invoice = tenant.invoice()
    grant = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/resources",
                            {"resource_id": _file(tenant), "policy": "visible", "download_limit": 2}).json
    path = _local(grant["download_url"])
    # Three different browsers: each is a new client, so each takes one download.
    assert [anonymous.get(path, headers={"User-Agent": f"browser {i}"}).status for i in range(3)] == [302, 302, 403]
    assert "download limit" in anonymous.get(path, headers={"User-Agent": "browser 3"}).text


def test_cancelling_revokes_and_an_old_link_opened_earlier_is_denied(gated: dict[str, Any], anonymous: Api) -> None:
    from chalicelib.services.delivery.unlock import invoice_payment_changed
    from chalicelib.store.documents import get_document

    tenant, invoice = gated["tenant"], gated["invoice"]
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {})
    path = _local(gated["grant"]["download_url"])
    assert anonymous.get(path).status == 302
    # A refund (arriving with Stripe) leaves the invoice not fully paid: simulate its effect.
    document = get_document(tenant.business_id, invoice["id"])
    document.status = "partial"
    document.save()
    assert invoice_payment_changed(tenant.business_id, invoice["id"]) == 1
    denied = anonymous.get(path)
    assert denied.status == 403 and "withdrawn" in denied.text


def test_keep_after_refund_keeps_access(tenant: Any, anonymous: Api) -> None:
    from chalicelib.services.delivery.unlock import invoice_payment_changed
    from chalicelib.store.documents import get_document

    invoice = tenant.invoice()
    grant = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/resources", {
        "resource_id": _file(tenant), "policy": "after_payment", "keep_after_refund": True}).json
    assert grant["refund_rule"] == "keep"
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {})
    document = get_document(tenant.business_id, invoice["id"])
    document.amount_refunded = document.amount_paid  # what the ledger records after a full refund
    document.save()
    assert invoice_payment_changed(tenant.business_id, invoice["id"]) == 0
    assert anonymous.get(_local(grant["download_url"])).status == 302


def test_access_expires_after_the_configured_days(tenant: Any, anonymous: Api) -> None:
    from chalicelib.store.grants import Grant

    invoice = tenant.invoice()
    grant = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/resources", {
        "resource_id": _file(tenant), "policy": "visible", "access_days": 7}).json
    assert grant["access_expires_at"]
    path = _local(grant["download_url"])
    assert anonymous.get(path).status == 302
    stored = Grant.get(f"DOC#{tenant.business_id}#{invoice['id']}", f"GRANT#{grant['grant_id']}")
    stored.update(actions=[Grant.access_expires_at.set("2020-01-01T00:00:00.000Z")])
    denied = anonymous.get(path)
    assert denied.status == 403 and "expired" in denied.text


def test_every_attempt_is_logged_with_its_result(gated: dict[str, Any], anonymous: Api) -> None:
    from chalicelib.store.access_log import entries_for_resource

    tenant, invoice = gated["tenant"], gated["invoice"]
    path = _local(gated["grant"]["download_url"])
    anonymous.get(path, headers={"User-Agent": "x" * 1000})
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {})
    anonymous.get(path)
    entries, _ = entries_for_resource(tenant.business_id, gated["grant"]["resource_id"], 10, None)
    assert [e.result for e in entries] == ["ok", "awaiting_payment"]  # newest first
    assert all(e.action == "download" and e.actor == "link" for e in entries)
    assert len(entries[1].user_agent or "") == 256


def test_a_download_costs_at_most_three_reads_plus_the_count_and_the_log(
    gated: dict[str, Any], anonymous: Api, dynamodb_calls: list[str]
) -> None:
    tenant, invoice = gated["tenant"], gated["invoice"]
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {})
    dynamodb_calls.clear()
    assert anonymous.get(_local(gated["grant"]["download_url"])).status == 302
    reads = [c for c in dynamodb_calls if c in ("GetItem", "Query", "BatchGetItem", "Scan")]
    assert len(reads) <= 3 and "Scan" not in reads, dynamodb_calls
    # The count and the "counted for this client" marker are one transaction; the log is a put.
    assert sorted(c for c in dynamodb_calls if c not in reads) == ["PutItem", "TransactWriteItems"]


@pytest.mark.parametrize("token", ["A" * 43, "short", "x" * 300, "%2e%2e%2f"])
def test_unknown_or_tampered_file_tokens_are_404(anonymous: Api, token: str) -> None:
    assert anonymous.get(f"/files/{token}").status == 404


def test_attaching_is_validated_and_tenant_scoped(make_tenant: Any) -> None:
    mine, theirs = make_tenant(), make_tenant()
    invoice = mine.invoice()
    their_file = _file(theirs)
    path = f"/api/v1/invoices/{invoice['id']}/resources"
    assert mine.api.post(path, {"resource_id": their_file, "policy": "visible"}).status == 404
    my_file = _file(mine)
    for body, field in [({"resource_id": my_file, "policy": "public"}, "policy"),
                        ({"resource_id": my_file, "policy": "visible", "download_limit": 0}, "download_limit"),
                        ({"resource_id": my_file, "policy": "visible", "extra": 1}, "extra")]:
        reply = mine.api.post(path, body)
        assert reply.status == 400 and reply.error["field"] == field
    assert theirs.api.post(path, {"resource_id": their_file, "policy": "visible"}).status == 404


def test_manual_release_lock_and_revoke_by_staff(tenant: Any, anonymous: Api, member_of: Any) -> None:
    invoice = tenant.invoice()
    grant = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/resources",
                            {"resource_id": _file(tenant), "policy": "manual"}).json
    path = _local(grant["download_url"])
    page = _local(tenant.share(invoice["id"]))
    assert _page(anonymous, page)["resources"][0]["status"] == "waiting for release"
    assert anonymous.get(path).status == 403
    base = f"/api/v1/invoices/{invoice['id']}/grants/{grant['grant_id']}"
    viewer = member_of(tenant, "viewer")
    assert viewer.post(f"{base}/release").status == 403
    released = tenant.api.post(f"{base}/release")
    assert released.status == 200 and released.json["state"] == "available"
    assert anonymous.get(path).status == 302
    assert tenant.api.post(f"{base}/lock").json["state"] == "locked"
    assert anonymous.get(path).status == 403
    revoked = tenant.api.post(f"{base}/revoke").json
    assert revoked["state"] == "revoked"
    assert [h["reason"] for h in revoked["history"]] == ["attached", "released_by_staff", "locked_by_staff", "revoked_by_staff"]
    assert tenant.api.post(f"{base}/lock").status == 409
    assert tenant.api.post(f"{base}/explode").status == 404
    listed = tenant.api.get(f"/api/v1/invoices/{invoice['id']}/grants").json["items"]
    assert [g["state"] for g in listed] == ["revoked"]


def test_the_access_log_pages_and_exports_csv_without_formula_injection(
        tenant: Any, anonymous: Api, exports_worker: Any) -> None:
    invoice = tenant.invoice()
    rid = _file(tenant)
    grant = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/resources", {"resource_id": rid, "policy": "visible"}).json
    for agent in ("=HYPERLINK(\"https://evil\")", "Mozilla/5.0", "curl/8"):
        anonymous.get(_local(grant["download_url"]), headers={"User-Agent": agent})
    first = tenant.api.get(f"/api/v1/resources/{rid}/access-log?limit=2").json
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = tenant.api.get(f"/api/v1/resources/{rid}/access-log?limit=2&cursor={first['next_cursor']}").json
    assert len(rest["items"]) == 1
    _, text = export_csv(tenant.api, f"/api/v1/resources/{rid}/access-log", exports_worker)
    lines = text.strip().splitlines()
    assert lines[0].startswith("at,action,result,actor") and len(lines) == 4
    assert "'=HYPERLINK" in text


def test_another_business_cannot_touch_my_grants_or_logs(make_tenant: Any) -> None:
    mine, theirs = make_tenant(), make_tenant()
    invoice = mine.invoice()
    rid = _file(mine)
    grant = mine.api.post(f"/api/v1/invoices/{invoice['id']}/resources", {"resource_id": rid, "policy": "manual"}).json
    assert theirs.api.post(f"/api/v1/invoices/{invoice['id']}/grants/{grant['grant_id']}/release").status == 404
    assert theirs.api.get(f"/api/v1/invoices/{invoice['id']}/grants").status == 404
    assert theirs.api.get(f"/api/v1/resources/{rid}/access-log").status == 404
    assert mine.api.get(f"/api/v1/invoices/{invoice['id']}/grants").json["items"][0]["state"] == "locked"


def test_a_new_version_reaches_everyone_who_holds_a_grant(tenant: Any, anonymous: Api) -> None:
    invoice = tenant.invoice()
    rid = _file(tenant, b"version one")
    grant = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/resources", {"resource_id": rid, "policy": "visible"}).json
    plan = tenant.api.post(f"/api/v1/resources/{rid}/versions",
                           {"filename": "handbook-v2.pdf", "size": 11, "content_type": "application/pdf"}).json["upload"]
    requests.post(plan["url"], data=plan["fields"], files={"file": ("f", b"version two", "application/pdf")}, timeout=10)
    assert tenant.api.post(f"/api/v1/resources/{rid}/upload/confirm").json["version"] == 2
    location = anonymous.get(_local(grant["download_url"])).headers["Location"]
    assert "handbook-v2.pdf" in location
    assert requests.get(location, timeout=10).content == b"version two"
