"""The client's view of a share link: branded, safe, private, and gone the moment it is revoked."""
from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import PUBLIC_BASE_URL, Api
from tests.support.events import event
from tests.support.replies import invoice_path


@pytest.fixture
def shared(tenant: Any) -> tuple[Any, dict[str, Any], str]:
    tenant.api.patch("/api/v1/business", {
        "name": "Northwind <Studio>", "brand_color": "#0f766e", "address": "Torstraße 1\nBerlin",
        "invoice_footer": "Thank you!",
    })
    invoice = tenant.invoice(
        lines=[{"description": "Logo <script>alert(1)</script>", "quantity": "2", "unit_price": 12345, "tax_rate_bp": 1900}],
        notes="Due in 14 days", po_number="PO-77",
    )
    return tenant, invoice, invoice_path(tenant.share(invoice["id"]))


def test_share_link_has_a_256_bit_token_and_is_stable(shared: Any) -> None:
    tenant, invoice, path = shared
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert invoice_path(tenant.share(invoice["id"])) == path
    assert tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json["share_url"] == PUBLIC_BASE_URL + path


def test_the_lambda_handler_serves_the_page_for_an_api_gateway_proxy_event(shared: Any) -> None:
    """Through the Lambda entry point with the event API Gateway sends (tests/events/apigateway)."""
    from app import app

    _, invoice, path = shared
    token = path.rsplit("/", 1)[1]
    request = event("apigateway/get_invoice", path=f"/invoice/{token}", pathParameters={"token": token},
                    requestContext={"path": f"/api/invoice/{token}"})
    context = SimpleNamespace(aws_request_id="c6af9ac6", function_name="api", get_remaining_time_in_millis=lambda: 30_000)
    reply = app(request, context)
    assert reply["statusCode"] == 200, reply
    assert invoice["number"] in reply["body"] and "Northwind &lt;Studio&gt;" in reply["body"]
    assert reply["headers"]["Cache-Control"] == "no-store"


def test_the_token_is_stored_only_as_its_hash(shared: Any) -> None:
    from chalicelib.domain.tokens import token_hash
    from chalicelib.store.tokens import Token

    _, _, path = shared
    token = path.rsplit("/", 1)[1]
    item = Token.get(f"TOKEN#{token_hash(token)}", "TOKEN")
    assert token not in str(item.attribute_values)


def test_client_sees_a_branded_invoice_page_without_signing_in(shared: Any, anonymous: Api) -> None:
    _, invoice, path = shared
    reply = anonymous.get(path, headers={"Accept": "text/html"})
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    page = reply.text
    for text in ("Northwind &lt;Studio&gt;", invoice["number"], "PO-77", "Acme Ltd", "Due in 14 days",
                 "Thank you!", "€293.81", "19 %", "#0f766e"):
        assert text in page, text
    assert "<script>alert(1)</script>" not in page
    assert "Logo &lt;script&gt;" in page


def test_client_responses_are_private_unindexed_and_locked_down(shared: Any, anonymous: Api) -> None:
    _, _, path = shared
    for accept in ("text/html", "application/json"):
        headers = anonymous.get(path, headers={"Accept": accept}).headers
        assert headers["Cache-Control"] == "no-store"
        assert "noindex" in headers["X-Robots-Tag"]
        assert headers["Referrer-Policy"] == "no-referrer"
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "script-src" not in csp


def test_the_style_nonce_changes_per_response(shared: Any, anonymous: Api) -> None:
    _, _, path = shared
    nonces = {re.search(r"nonce-([^']+)'", anonymous.get(path).headers["Content-Security-Policy"]).group(1) for _ in range(3)}  # type: ignore[union-attr]
    assert len(nonces) == 3


def test_json_view_is_a_safe_subset(shared: Any, anonymous: Api) -> None:
    tenant, invoice, path = shared
    reply = anonymous.get(path, headers={"Accept": "application/json"})
    assert reply.status == 200
    data = reply.json
    assert data["invoice"]["number"] == invoice["number"]
    assert data["invoice"]["total"] == {"amount": 29381, "currency": "EUR", "display": "€293.81"}
    flat = reply.text
    token = path.rsplit("/", 1)[1]
    for secret in (token, invoice["id"], tenant.business_id, invoice["client_id"], "share_token", "version"):
        assert secret not in flat, secret


def test_revoking_makes_the_old_link_404_at_once_and_a_new_share_gives_a_new_link(shared: Any, anonymous: Api) -> None:
    tenant, invoice, path = shared
    assert anonymous.get(path).status == 200
    assert tenant.api.delete(f"/api/v1/invoices/{invoice['id']}/share").status == 200
    gone = anonymous.get(path)
    assert gone.status == 404
    assert "not valid" in gone.text
    new_path = invoice_path(tenant.share(invoice["id"]))
    assert new_path != path
    assert anonymous.get(new_path).status == 200 and anonymous.get(path).status == 404


@pytest.mark.parametrize("token", [
    "x" * 43, "short", "a" * 500, "..%2F..%2Fetc", "<script>", "' OR 1=1 --",
])
def test_unknown_or_malformed_tokens_get_the_same_404(anonymous: Api, token: str) -> None:
    reply = anonymous.get(f"/invoice/{token}")
    assert reply.status == 404
    assert "This link is not valid" in reply.text
    assert reply.headers["Cache-Control"] == "no-store"


def test_unknown_and_revoked_links_are_indistinguishable(shared: Any, anonymous: Api) -> None:
    tenant, invoice, path = shared
    tenant.api.delete(f"/api/v1/invoices/{invoice['id']}/share")
    revoked = anonymous.get(path, headers={"Accept": "application/json"})
    unknown = anonymous.get("/invoice/" + "A" * 43, headers={"Accept": "application/json"})
    assert (revoked.status, revoked.json) == (unknown.status, unknown.json)


def test_a_page_view_costs_at_most_three_dynamodb_calls_and_no_scan(
    shared: Any, anonymous: Api, dynamodb_calls: list[str]
) -> None:
    _, _, path = shared
    dynamodb_calls.clear()
    assert anonymous.get(path).status == 200
    assert len(dynamodb_calls) <= 3, dynamodb_calls
    assert "Scan" not in dynamodb_calls


def test_a_cancelled_invoice_shows_cancelled(shared: Any, anonymous: Api) -> None:
    tenant, invoice, path = shared
    assert tenant.api.post(f"/api/v1/invoices/{invoice['id']}/cancel").status == 200
    assert anonymous.get(path, headers={"Accept": "application/json"}).json["invoice"]["status"] == "cancelled"
    page = anonymous.get(path, headers={"Accept": "text/html"}).text
    assert "nothing to pay" in page and path + "/pay" not in page, page  # no Pay button


def test_payments_show_on_the_page(shared: Any, anonymous: Api) -> None:
    tenant, invoice, path = shared
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {"amount": 10000, "received_on": "2026-11-01"})
    data = anonymous.get(path, headers={"Accept": "application/json"}).json["invoice"]
    assert data["status"] == "partial"
    assert data["balance"]["amount"] == 19381
    assert data["payments"] == [{"kind": "payment", "amount": {"amount": 10000, "currency": "EUR", "display": "€100.00"},
                                 "method": "manual", "received_on": "2026-11-01", "dispute_status": None}]



XSS = "<img src=x onerror=alert(1)>\"'"


def test_the_invoice_page_ignores_a_content_type_on_get(tenant: Any, anonymous: Api) -> None:
    path = invoice_path(tenant.share(tenant.invoice()["id"]))
    reply = anonymous.get(path, headers={"Content-Type": "text/plain", "Accept": "text/html"})
    assert reply.status == 200
    assert reply.headers["Cache-Control"] == "no-store"


def test_whole_quantities_are_shown_as_written_not_in_exponent_form(tenant: Any, anonymous: Api) -> None:
    invoice = tenant.invoice(lines=[
        {"description": "Hours", "quantity": 100, "unit_price": 1},
        {"description": "Days", "quantity": "10", "unit_price": 1},
        {"description": "Half", "quantity": "2.50", "unit_price": 1},
    ])
    assert [line["quantity"] for line in invoice["lines"]] == ["100", "10", "2.5"]
    path = invoice_path(tenant.share(invoice["id"]))
    page = anonymous.get(path, headers={"Accept": "application/json"}).json
    assert [line["quantity"] for line in page["invoice"]["lines"]] == ["100", "10", "2.5"]
    assert "E+" not in anonymous.get(path, headers={"Accept": "text/html"}).text


def test_a_cancelled_invoice_page_does_not_ask_the_client_for_money(tenant: Any, anonymous: Api) -> None:
    invoice = tenant.invoice(lines=[{"description": "Work", "unit_price": 10000}])
    path = invoice_path(tenant.share(invoice["id"]))
    assert tenant.api.post(f"/api/v1/invoices/{invoice['id']}/cancel").status == 200
    data = anonymous.get(path, headers={"Accept": "application/json"}).json["invoice"]
    assert data["status"] == "cancelled"
    assert data["balance"]["amount"] == 0
    assert "<strong>€100.00</strong>" not in anonymous.get(path, headers={"Accept": "text/html"}).text


def test_a_zero_total_invoice_is_not_left_open_and_overdue(tenant: Any, anonymous: Api) -> None:
    invoice = tenant.invoice(
        lines=[{"description": "Goodwill", "unit_price": 5000, "discount_bp": 10000}],
        issue_date="2020-01-01", due_date="2020-01-15",
    )
    assert invoice["total"] == 0
    settled = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {})
    current = tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json
    assert settled.status in (201, 409) and current["status"] == "paid", (settled.body, current["status"])
    assert current["display_status"] == "paid"


@pytest.mark.parametrize("accept", ["APPLICATION/JSON", "Application/Json; charset=utf-8", "application/json, text/html;q=0.1"])
def test_accept_negotiation_is_case_insensitive_and_honours_q_values(tenant: Any, anonymous: Api, accept: str) -> None:
    path = invoice_path(tenant.share(tenant.invoice()["id"]))
    reply = anonymous.get(path, headers={"Accept": accept})
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2", "eu-central-2"])
def test_csp_img_src_covers_the_presigned_logo_origin_in_the_cloud(
    aws: Any, monkeypatch: pytest.MonkeyPatch, region: str
) -> None:
    from chalicelib import aws as aws_clients
    from chalicelib.api import html
    from chalicelib.config import settings
    from chalicelib.services.accounts import businesses
    from chalicelib.services.delivery import bucket_origins
    from chalicelib.store.businesses import Business

    cloud = dataclasses.replace(settings(), aws_endpoint_url="", region=region, files_bucket="paydrop-prod-files")
    try:
        with monkeypatch.context() as m:
            for module in (aws_clients, html, bucket_origins, businesses):
                m.setattr(module, "settings", lambda: cloud)
            aws_clients.reset_clients()
            bucket_origins.download_origin.cache_clear()
            business = Business("BIZ#b1", "PROFILE", business_id="b1", name="B", logo_key="branding/b1/logo-1.png",
                                created_at="2026-01-01T00:00:00.000Z", updated_at="2026-01-01T00:00:00.000Z")
            logo = urlsplit(businesses.logo_url(business) or "")
            csp = html.client_headers("n")["Content-Security-Policy"]
    finally:
        aws_clients.reset_clients()
        bucket_origins.download_origin.cache_clear()
    img_sources = next(d for d in csp.split(";") if d.strip().startswith("img-src")).split()[1:]
    assert f"{logo.scheme}://{logo.netloc}" in img_sources, (logo.netloc, img_sources)


def test_share_url_keeps_the_api_gateway_stage_when_public_base_url_is_unset(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.api import urls
    from chalicelib.config import settings

    monkeypatch.setattr(urls, "settings", lambda: dataclasses.replace(settings(), public_base_url=""))
    host = "abc123defg.execute-api.eu-west-1.amazonaws.com"
    request = SimpleNamespace(headers={"host": host, "x-forwarded-proto": "https"}, context={"stage": "api"})
    assert urls.absolute_url(request, "/invoice/tok") == f"https://{host}/api/invoice/tok"


def test_unknown_and_revoked_tokens_cost_the_same_reads(tenant: Any, anonymous: Api, dynamodb_calls: list[str]) -> None:
    from chalicelib.domain.tokens import new_token

    invoice = tenant.invoice()
    revoked = invoice_path(tenant.share(invoice["id"]))
    assert tenant.api.delete(f"/api/v1/invoices/{invoice['id']}/share").status == 200
    seen = []
    for path in (revoked, f"/invoice/{new_token()}"):
        dynamodb_calls.clear()
        reply = anonymous.get(path, headers={"Accept": "application/json"})
        seen.append((reply.status, reply.json, list(dynamodb_calls)))
    assert seen[0] == seen[1]
    assert seen[0][2] == ["GetItem"]


def test_every_client_controlled_field_is_escaped_on_the_page(tenant: Any, anonymous: Api) -> None:
    assert tenant.api.patch("/api/v1/business", {
        "name": XSS, "address": XSS, "tax_number": XSS, "invoice_footer": XSS, "phone": "+1 (555) 0100",
    }).status == 200
    client = tenant.api.post("/api/v1/clients", {"name": XSS, "address": XSS, "tax_number": XSS}).json
    created = tenant.api.post("/api/v1/invoices", {
        "client_id": client["client_id"], "notes": XSS, "terms": XSS, "po_number": XSS,
        "lines": [{"description": XSS, "unit_price": 100}],
    })
    assert created.status == 201
    invoice_id = created.json["id"]
    assert tenant.api.post(f"/api/v1/invoices/{invoice_id}/send").status == 200
    assert tenant.api.post(f"/api/v1/invoices/{invoice_id}/payments", {"amount": 10, "reference": XSS}).status == 201
    page = anonymous.get(invoice_path(tenant.share(invoice_id)), headers={"Accept": "text/html"}).text
    assert "<img" not in page and "onerror=alert(1)>" not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") >= 11
    assert '"\'' not in page.split("</style>", 1)[1]
