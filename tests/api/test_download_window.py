"""The presigned window and the recount rule: a download URL lives at most 60 s; a download
restarted by the same client within 10 minutes goes back through `/files/{token}`, is decided
again and logged, but takes one download from the limit, not two."""
from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import Api, local_path
from tests.support.client_flows import signed_in

PHONE = {"User-Agent": "phone browser"}


def _grant(tenant: Any, **fields: Any) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A visible file on a new sent invoice: (invoice, grant, download path)."""
    invoice = tenant.invoice()
    grant = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/resources",
                            {"resource_id": tenant.file(), "policy": "visible", **fields}).json
    return invoice, grant, local_path(grant["download_url"])


def _downloads(tenant: Any, invoice: dict[str, Any]) -> int:
    [stored] = tenant.api.get(f"/api/v1/invoices/{invoice['id']}/grants").json["items"]
    return int(stored["downloads"])


def _results(tenant: Any, grant: dict[str, Any]) -> list[str]:
    from chalicelib.store.access_log import entries_for_resource

    entries, _ = entries_for_resource(tenant.business_id, grant["resource_id"], 50, None)
    return [e.result for e in reversed(entries) if e.action == "download"]  # oldest first


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Move the app's clock forward: `clock(seconds)`."""
    from chalicelib import clock as app_clock

    real = app_clock._source
    shift = [0.0]
    monkeypatch.setattr(app_clock, "_source", lambda: real() + timedelta(seconds=shift[0]))

    def move(seconds: float) -> None:
        shift[0] = seconds

    return move


@pytest.mark.parametrize(("configured", "expected"), [(None, "60"), ("300", "60"), ("30", "30")])
def test_a_download_url_lives_at_most_60_seconds(
        tenant: Any, anonymous: Api, monkeypatch: pytest.MonkeyPatch, configured: str | None, expected: str) -> None:
    from chalicelib.config import reset_settings

    if configured is None:
        monkeypatch.delenv("PRESIGN_TTL_SECONDS", raising=False)
    else:
        monkeypatch.setenv("PRESIGN_TTL_SECONDS", configured)
    reset_settings()
    try:
        _, _, path = _grant(tenant)
        location = anonymous.get(path).headers["Location"]
        assert parse_qs(urlsplit(location).query)["X-Amz-Expires"] == [expected]
    finally:
        monkeypatch.undo()
        reset_settings()


def test_a_restart_by_the_same_browser_is_decided_again_logged_and_not_counted_twice(tenant: Any, anonymous: Api) -> None:
    invoice, grant, path = _grant(tenant, download_limit=1)
    first, restart = anonymous.get(path, headers=PHONE), anonymous.get(path, headers=PHONE)
    assert (first.status, restart.status) == (302, 302)
    assert _downloads(tenant, invoice) == 1
    other = anonymous.get(path, headers={"User-Agent": "someone else's laptop"})
    assert other.status == 403 and "download limit" in other.text
    assert _results(tenant, grant) == ["ok", "ok", "limit_reached"]  # every attempt is in the log


def test_after_ten_minutes_the_same_browser_counts_again(tenant: Any, anonymous: Api, clock: Any) -> None:
    invoice, grant, path = _grant(tenant, download_limit=2)
    assert anonymous.get(path, headers=PHONE).status == 302
    clock(9 * 60)
    assert anonymous.get(path, headers=PHONE).status == 302
    assert _downloads(tenant, invoice) == 1
    clock(10 * 60 + 1)
    assert anonymous.get(path, headers=PHONE).status == 302
    assert _downloads(tenant, invoice) == 2
    clock(25 * 60)
    assert anonymous.get(path, headers=PHONE).status == 403
    assert _results(tenant, grant) == ["ok", "ok", "ok", "limit_reached"]


def test_a_restart_after_a_revoke_is_refused(tenant: Any, anonymous: Api) -> None:
    invoice, grant, path = _grant(tenant, download_limit=5)
    assert anonymous.get(path, headers=PHONE).status == 302
    revoked = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/grants/{grant['grant_id']}/revoke")
    assert revoked.status == 200
    restart = anonymous.get(path, headers=PHONE)
    assert restart.status == 403 and "Location" not in restart.headers
    assert _results(tenant, grant) == ["ok", "revoked"]


def test_a_signed_in_contact_is_one_client_whatever_network_or_browser(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    invoice, _, path = _grant(tenant, download_limit=1)  # tenant.invoice()'s client has ada@acme.test
    cookie = signed_in(tenant, anonymous, outbox, "ada@acme.test")
    assert anonymous.get(path, headers={"Cookie": cookie, "User-Agent": "wifi"}).status == 302
    assert anonymous.get(path, headers={"Cookie": cookie, "User-Agent": "mobile data"}).status == 302
    assert _downloads(tenant, invoice) == 1
    assert anonymous.get(path, headers={"User-Agent": "a stranger with the link"}).status == 403


def test_one_browser_racing_itself_is_counted_once(tenant: Any, anonymous: Api) -> None:
    invoice, _, path = _grant(tenant, download_limit=1)
    barrier, statuses = threading.Barrier(3), []

    def run() -> None:
        barrier.wait()
        statuses.append(anonymous.get(path, headers=PHONE).status)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302, 302, 302]  # the same client: one download, started three times
    assert _downloads(tenant, invoice) == 1


def test_a_restart_costs_the_same_calls_as_a_first_download(
        tenant: Any, anonymous: Api, dynamodb_calls: list[str]) -> None:
    _, _, path = _grant(tenant)
    calls = []
    for _ in range(2):
        dynamodb_calls.clear()
        assert anonymous.get(path, headers=PHONE).status == 302
        calls.append(sorted(dynamodb_calls))
    # Query: the business's webhook endpoints (none here), for `resource.downloaded` (services/developer/events.py).
    assert calls[0] == calls[1] == ["BatchGetItem", "GetItem", "PutItem", "Query", "TransactWriteItems"]
