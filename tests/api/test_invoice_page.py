"""The client's view of a share link: branded, safe, private, and gone the moment it is revoked."""
from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import PUBLIC_BASE_URL, Api


def _path(url: str) -> str:
    assert url.startswith(PUBLIC_BASE_URL + "/invoice/")
    return url[len(PUBLIC_BASE_URL):]


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
    return tenant, invoice, _path(tenant.share(invoice["id"]))


def test_share_link_has_a_256_bit_token_and_is_stable(shared: Any) -> None:
    tenant, invoice, path = shared
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert _path(tenant.share(invoice["id"])) == path
    assert tenant.api.get(f"/api/v1/invoices/{invoice['id']}").json["share_url"] == PUBLIC_BASE_URL + path


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
                 "Thank you!", "293.81 EUR", "19 %", "#0f766e"):
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
    assert data["invoice"]["total"] == {"amount": 29381, "currency": "EUR", "display": "293.81 EUR"}
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
    new_path = _path(tenant.share(invoice["id"]))
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
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/cancel")
    assert anonymous.get(path, headers={"Accept": "application/json"}).json["invoice"]["status"] == "cancelled"


def test_payments_show_on_the_page(shared: Any, anonymous: Api) -> None:
    tenant, invoice, path = shared
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {"amount": 10000, "received_on": "2026-11-01"})
    data = anonymous.get(path, headers={"Accept": "application/json"}).json["invoice"]
    assert data["status"] == "partial"
    assert data["balance"]["amount"] == 19381
    assert data["payments"] == [{"kind": "payment", "amount": {"amount": 10000, "currency": "EUR", "display": "100.00 EUR"},
                                 "method": "manual", "received_on": "2026-11-01", "dispute_status": None}]
