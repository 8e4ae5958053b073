"""Access-log exports: asked for with a 202, written to S3 by the exports worker, handed over as a
short-lived link; another business's export is not found; bad ids and old-style requests are 4xx."""
from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.conftest import QueueWorker
from tests.support.exports import export_csv


def _seed_log(business_id: str, resource_id: str, agents: list[str]) -> list[str]:
    """Entries written as the download path writes them, one minute apart; their ids, newest first."""
    from chalicelib.store import access_log

    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    ids = []
    for n, agent in enumerate(agents):
        entry = access_log.new_entry(business_id, f"log{n:04d}", start + timedelta(minutes=n), None,
                                     resource_id=resource_id, actor="link", action="download", result="ok",
                                     ip=f"203.0.113.{n}", user_agent=agent)
        entry.save()
        ids.append(entry.log_id)
    return list(reversed(ids))


@pytest.fixture
def s3_calls(aws: Any) -> Any:
    """S3 operations made while the test runs (botocore `before-call` hook on the app's client)."""
    from chalicelib.aws import s3

    calls: list[str] = []
    events = s3().meta.events

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    events.register("before-call.s3", record)
    yield calls
    events.unregister("before-call.s3", record)


def test_an_export_downloads_as_the_whole_log_in_csv_without_formulas(
        tenant: Any, exports_worker: QueueWorker, s3_calls: list[str]) -> None:
    rid = tenant.file()
    agents = ["Mozilla/5.0", '=HYPERLINK("https://evil.test")', "+1-555", "curl/8", "@SUM(A1)"]
    newest_first = _seed_log(tenant.business_id, rid, agents)
    started = tenant.api.post(f"/api/v1/resources/{rid}/access-log/exports")
    assert started.status == 202 and started.json["status"] == "queued" and started.json["url"] is None
    assert tenant.api.get(started.json["status_url"]).json["status"] == "queued"  # nothing written yet
    s3_calls.clear()
    assert exports_worker.drain() == 1
    # One multipart upload of one part: no object is ever built whole in memory and put.
    assert s3_calls == ["CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"]
    ready = tenant.api.get(started.json["status_url"]).json
    assert (ready["status"], ready["rows"], ready["finished_at"] is not None) == ("ready", 5, True)
    query = parse_qs(urlsplit(ready["url"]).query)
    assert 0 < int(query["X-Amz-Expires"][0]) <= 60 and ready["url_expires_in"] <= 60  # the download TTL
    download = requests.get(ready["url"], timeout=10)
    assert download.headers["Content-Disposition"] == f'attachment; filename="access-log-resource-{rid}.csv"'
    assert download.headers["Content-Type"].startswith("text/csv")
    assert len(download.content) == ready["size"]
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    # Each name beside its id (issue 17: tests/api/test_access_log_names.py checks the names).
    assert rows[0] == ["at", "action", "result", "actor", "actor_name", "client_id", "client_name", "doc_id", "doc_number",
                       "grant_id", "resource_id", "resource_title", "ip", "user_agent"]
    assert [r[12] for r in rows[1:]] == [f"203.0.113.{int(i[3:])}" for i in newest_first]
    assert [r[13] for r in rows[1:]] == ["'@SUM(A1)", "curl/8", "'+1-555", "'=HYPERLINK(\"https://evil.test\")",
                                        "Mozilla/5.0"]
    # A message delivered twice does not write the file again.
    s3_calls.clear()
    from chalicelib.services.delivery import access_log_export

    assert access_log_export.run({"business_id": tenant.business_id, "export_id": ready["export_id"]}) == "already ready"
    assert s3_calls == []


def test_an_empty_log_exports_as_the_header_row(tenant: Any, exports_worker: QueueWorker) -> None:
    invoice = tenant.invoice()
    ready, text = export_csv(tenant.api, f"/api/v1/invoices/{invoice['id']}/access-log", exports_worker)
    assert ready["rows"] == 0 and text.strip() == ("at,action,result,actor,actor_name,client_id,client_name,"
                                               "doc_id,doc_number,grant_id,resource_id,resource_title,ip,user_agent")


def test_another_business_can_neither_export_my_log_nor_see_my_export(
        make_tenant: Any, exports_worker: QueueWorker) -> None:
    mine, theirs = make_tenant(), make_tenant()
    rid = mine.file()
    _seed_log(mine.business_id, rid, ["Mozilla/5.0"])
    refused = theirs.api.post(f"/api/v1/resources/{rid}/access-log/exports")
    assert refused.status == 404 and refused.error["code"] == "not_found"
    assert exports_worker.queued() == 0  # nothing queued for them
    started = mine.api.post(f"/api/v1/resources/{rid}/access-log/exports").json
    exports_worker.drain()
    for api in (theirs.api,):
        reply = api.get(started["status_url"])
        assert reply.status == 404 and reply.error["message"] == "Export not found."
    assert mine.api.get(started["status_url"]).json["status"] == "ready"


@pytest.mark.parametrize("path, status", [
    ("/api/v1/access-log/exports/not%20an%20id", 404),  # malformed ids name nothing (check_path_ids)
    ("/api/v1/access-log/exports/" + "a" * 65, 404),
    ("/api/v1/access-log/exports/0123456789abcdef0123", 404),
])
def test_bad_or_unknown_export_ids_are_4xx_in_words(tenant: Any, path: str, status: int) -> None:
    reply = tenant.api.get(path)
    assert reply.status == status and reply.error["message"], reply.body


def test_exports_of_unknown_logs_and_the_old_csv_response_are_4xx(tenant: Any, exports_worker: QueueWorker) -> None:
    for kind in ("resources", "clients", "invoices"):
        reply = tenant.api.post(f"/api/v1/{kind}/0123456789abcdef0123/access-log/exports")
        assert reply.status == 404, (kind, reply.body)
    assert exports_worker.queued() == 0
    rid = tenant.file()
    old = tenant.api.get(f"/api/v1/resources/{rid}/access-log?format=csv")
    assert old.status == 400 and "/exports" in old.error["message"] and old.error["field"] == "format"


def test_a_viewer_may_export(tenant: Any, member_of: Any, exports_worker: QueueWorker) -> None:
    rid = tenant.file()
    _seed_log(tenant.business_id, rid, ["Mozilla/5.0", "curl/8"])
    viewer = member_of(tenant, "viewer")
    ready, text = export_csv(viewer, f"/api/v1/resources/{rid}/access-log", exports_worker)
    assert ready["rows"] == 2 and text.count("\n") == 3


def test_when_the_queue_refuses_starting_an_export_is_a_503_in_words(
        tenant: Any, exports_worker: QueueWorker, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.config import settings
    from chalicelib.services.delivery import access_log_export

    rid = tenant.file()
    gone = "https://sqs.us-east-1.amazonaws.com/123456789012/no-such-queue"
    monkeypatch.setattr(access_log_export, "settings", lambda: replace(settings(), exports_queue_url=gone))
    refused = tenant.api.post(f"/api/v1/resources/{rid}/access-log/exports")
    assert refused.status == 503 and "could not be started" in refused.error["message"]
    monkeypatch.undo()
    assert exports_worker.queued() == 0
