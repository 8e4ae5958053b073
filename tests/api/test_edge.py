"""The edge: behind CloudFront the client's address is `CloudFront-Viewer-Address`, believed only
with the origin secret; with a secret configured, requests without it (straight to the
execute-api URL) are refused before any view runs."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.api.edge import parse_viewer_address
from tests.conftest import Api, QueueWorker, local_path
from tests.support.client_flows import attach
from tests.support.payments import FakeStripeHttp, payable_invoice, post_event, press_pay, stripe_event, stripe_object

SECRET = "origin-secret-for-tests-0123456789"
VIEWER = "CloudFront-Viewer-Address"


@pytest.fixture
def origin_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The stage has an origin secret (as the deployed one does); returns the header CloudFront adds."""
    from chalicelib import secrets
    from chalicelib.config import reset_settings

    monkeypatch.setenv("PAYDROP_SECRET_ORIGIN_SECRET", SECRET)
    reset_settings()
    secrets.reset_secrets()
    yield {"X-Paydrop-Origin-Secret": SECRET}
    monkeypatch.delenv("PAYDROP_SECRET_ORIGIN_SECRET")
    reset_settings()
    secrets.reset_secrets()


def _through_cloudfront(*apis: Api, headers: dict[str, str]) -> None:
    for api in apis:
        api.extra_headers.update(headers)


def _views(tenant: Any, doc_id: str) -> dict[str, Any]:
    return tenant.api.get(f"/api/v1/invoices/{doc_id}/views?limit=100").json  # type: ignore[no-any-return]


@pytest.mark.parametrize(("value", "ip"), [
    ("198.51.100.10:46532", "198.51.100.10"),
    ("2001:db8::1:443", "2001:db8::1"),  # CloudFront's own IPv6 form: the port after the last colon
    ("[2001:db8::1]:443", "2001:db8::1"),
    ("2001:0db8:0000:0000:0000:0000:0000:0001:8080", "2001:db8::1"),
    (" 203.0.113.9:1 ", "203.0.113.9"),
    ("198.51.100.10", None),  # no port: not what CloudFront sends
    ("198.51.100.10:", None), ("198.51.100.10:99999", None), ("evil.example:443", None),
    ("[2001:db8::1]", None), ("", None), ("1.2.3.4:80, 5.6.7.8:80", None),
    ("192.0.2.7:" + "1" * 5000, None),  # used to raise inside int() and answer 500
    ('[fe80::1%=HYPERLINK("x")]:1', None), ("fe80::1%eth0:443", None),  # a zone id is free text
])
def test_the_viewer_address_is_read_as_cloudfront_writes_it(value: str, ip: str | None) -> None:
    assert parse_viewer_address(value) == ip


def test_without_a_secret_a_spoofed_viewer_address_is_ignored(
        tenant: Any, anonymous: Api, views_worker: QueueWorker) -> None:
    invoice = tenant.invoice()
    page = local_path(tenant.share(invoice["id"]))
    for n in range(3):
        assert anonymous.get(page, headers={VIEWER: f"198.51.100.{n}:443"}).status == 200
    views_worker.drain()
    seen = _views(tenant, invoice["id"])
    assert seen["unique_viewers"] == 1  # one real address, whatever the header claimed
    assert {e["ip"] for e in seen["items"]} == {"127.0.0.1"}


def test_a_viewer_address_with_a_wrong_secret_is_refused(tenant: Any, anonymous: Api, origin_secret: Any) -> None:
    _through_cloudfront(tenant.api, headers=origin_secret)
    page = local_path(tenant.share(tenant.invoice()["id"]))
    reply = anonymous.get(page, headers={VIEWER: "198.51.100.7:443", "X-Paydrop-Origin-Secret": SECRET[:-1] + "x"})
    assert reply.status == 403
    assert reply.headers["Content-Type"].startswith("text/plain") and "Forbidden" in reply.text


def test_with_the_secret_unique_viewers_and_the_view_log_see_each_viewer(
        tenant: Any, anonymous: Api, views_worker: QueueWorker, origin_secret: dict[str, str]) -> None:
    _through_cloudfront(tenant.api, anonymous, headers=origin_secret)
    invoice = tenant.invoice()
    page = local_path(tenant.share(invoice["id"]))
    for viewer in ("198.51.100.20:5000", "198.51.100.20:5001", "2001:db8::20:443"):
        assert anonymous.get(page, headers={VIEWER: viewer}).status == 200
    views_worker.drain()
    seen = _views(tenant, invoice["id"])
    assert (seen["view_count"], seen["unique_viewers"]) == (2, 2)
    assert sorted({e["ip"] for e in seen["items"]}) == ["198.51.100.20", "2001:db8::20"]


@pytest.mark.usefixtures("frozen_clock")
def test_with_the_secret_per_ip_rate_limits_count_each_viewer_apart(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, origin_secret: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.services.payments import checkout

    monkeypatch.setattr(checkout, "PER_IP", 2)
    _through_cloudfront(tenant.api, anonymous, headers=origin_secret)
    pages = [payable_invoice(tenant)["page"] for _ in range(3)]
    first = [press_pay(anonymous, page, **{VIEWER: "203.0.113.50:1000"}).status for page in pages]
    other = press_pay(anonymous, pages[0], **{VIEWER: "203.0.113.51:1000"}).status
    assert first == [303, 303, 429] and other == 303


def test_with_the_secret_the_access_log_records_the_viewer(
        tenant: Any, anonymous: Api, origin_secret: dict[str, str]) -> None:
    _through_cloudfront(tenant.api, anonymous, headers=origin_secret)
    invoice = tenant.invoice()
    rid = tenant.file()
    grant = attach(tenant, rid, "invoice", invoice["id"], "visible")["grants"][0]
    assert anonymous.get(local_path(grant["download_url"]), headers={VIEWER: "192.0.2.77:61000"}).status == 302
    [entry] = tenant.api.get(f"/api/v1/resources/{rid}/access-log").json["items"]
    assert entry["ip"] == "192.0.2.77"


@pytest.mark.parametrize("path", ["/health", "/api/v1/business", "/app/"])
def test_straight_to_execute_api_without_the_secret_is_refused(
        tenant: Any, anonymous: Api, origin_secret: dict[str, str], path: str) -> None:
    # A staff route is asked with a valid token: API Gateway's authorizer (which runs before the
    # app) lets it through, so it is the origin guard that refuses it.
    reply = tenant.api.get(path, headers={VIEWER: "198.51.100.1:443"})
    assert reply.status == 403 and "Forbidden" in reply.text
    # Without any token a staff route stops at the authorizer (401), as it does in the cloud.
    if path.startswith("/api/v1/"):
        assert anonymous.get(path, headers={VIEWER: "198.51.100.1:443"}).status == 401
    assert anonymous.get("/health", headers=origin_secret).json["status"] == "ok"


def test_a_stripe_webhook_without_the_secret_is_refused_and_nothing_is_queued(
        tenant: Any, anonymous: Api, stripe_worker: QueueWorker, stripe_secrets: Any,
        origin_secret: dict[str, str]) -> None:
    event = stripe_event("checkout.session.completed", stripe_object("checkout.session.completed"))
    assert post_event(anonymous, event).status == 403
    assert stripe_worker.queued() == 0
    _through_cloudfront(anonymous, headers=origin_secret)
    assert post_event(anonymous, event).status == 200  # what CloudFront forwards gets in
    assert stripe_worker.queued() == 1


def test_a_client_form_without_the_secret_writes_nothing(
        tenant: Any, anonymous: Api, outbox: Any, origin_secret: dict[str, str]) -> None:
    reply = anonymous.call("POST", f"/signin/{tenant.business_id}", "email=ada%40acme.test",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 403
    assert outbox.messages() == []


def test_in_lambda_a_missing_secret_refuses_rather_than_trusting_anyone(
        anonymous: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from chalicelib import secrets
    from chalicelib.api import edge
    from chalicelib.config import settings

    lambda_settings = replace(settings(), in_lambda=True, stage="no-such-stage")
    monkeypatch.setattr(secrets, "settings", lambda: lambda_settings)
    monkeypatch.setattr(edge, "settings", lambda: lambda_settings)
    secrets.reset_secrets()
    reply = anonymous.get("/health")
    assert reply.status == 503 and "origin secret" in reply.text
