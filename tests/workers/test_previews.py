"""The previews worker end to end: a file uploaded through the app's presigned POST reaches
the worker through S3's notification on the uploads queue (URL-encoded key and all), and
the resource shows its previews; events it must not act on are skipped, and a file that
cannot be previewed is an outcome, not a message SQS keeps retrying."""
from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
import requests
from PIL import Image

from chalicelib.store import resources as store
from tests.support.events import event


def jpeg(size: tuple[int, int] = (1800, 1200), colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def upload(tenant: Any, content: bytes, filename: str, content_type: str, resource_id: str | None = None) -> str:
    """Create a file resource (or a new version of `resource_id`), POST the file to S3 as a
    browser would, and confirm it; returns the resource id."""
    spec = {"filename": filename, "size": len(content), "content_type": content_type}
    if resource_id is None:
        made = tenant.api.post("/api/v1/resources", {"kind": "file", "title": filename, "file": spec})
        assert made.status == 201, made.body
        resource_id, plan = made.json["resource"]["resource_id"], made.json["upload"]
    else:
        started = tenant.api.post(f"/api/v1/resources/{resource_id}/versions", spec)
        assert started.status == 201, started.body
        plan = started.json["upload"]
    posted = requests.post(plan["url"], data=plan["fields"], files={"file": (filename, content, content_type)}, timeout=10)
    assert posted.status_code in (200, 201, 204), posted.text
    confirmed = tenant.api.post(f"/api/v1/resources/{resource_id}/upload/confirm")
    assert confirmed.status == 200, confirmed.body
    return str(resource_id)


def stored(tenant: Any, resource_id: str) -> store.Resource:
    resource = store.get_resource(tenant.business_id, resource_id)
    assert resource is not None
    return resource


def test_an_uploaded_photo_gets_previews_through_the_queue(tenant: Any, previews_worker: Any, caplog: Any) -> None:
    from chalicelib.aws import s3
    from chalicelib.config import settings

    rid = upload(tenant, jpeg(), "Holiday photo (1).jpg", "image/jpeg")
    assert stored(tenant, rid).preview_state == "pending"

    with caplog.at_level(logging.INFO, logger="paydrop.workers"):
        assert previews_worker.drain() == 1

    resource = stored(tenant, rid)
    assert resource.preview_state == "ready"
    assert (resource.width, resource.height, resource.preview_version) == (1800, 1200, 1)
    assert resource.preview_large_key == f"previews/{tenant.business_id}/{rid}/v1/640.webp"
    assert resource.preview_small_key == f"previews/{tenant.business_id}/{rid}/v1/160.webp"
    body = s3().get_object(Bucket=settings().files_bucket, Key=resource.preview_large_key)["Body"].read()
    assert Image.open(io.BytesIO(body)).size == (640, 427)
    # The key arrived URL-encoded (the space as "+"); the log names the decoded key.
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("preview of")]
    assert line == f"preview of {resource.s3_key}: ready (1800 × 1200, image)"
    # Writing the previews (under previews/) queued nothing: they never come back to the worker.
    assert previews_worker.queued() == 0


def test_a_new_version_resets_to_pending_until_its_previews_are_made(tenant: Any, previews_worker: Any) -> None:
    rid = upload(tenant, jpeg((900, 600)), "cover.jpg", "image/jpeg")
    previews_worker.drain()
    assert stored(tenant, rid).preview_state == "ready"

    upload(tenant, jpeg((600, 900), "blue"), "cover-v2.jpg", "image/jpeg", resource_id=rid)
    assert stored(tenant, rid).preview_state == "pending"
    previews_worker.drain()

    resource = stored(tenant, rid)
    assert (resource.preview_state, resource.preview_version, resource.width, resource.height) == ("ready", 2, 600, 900)
    assert resource.preview_large_key == f"previews/{tenant.business_id}/{rid}/v2/640.webp"


def test_a_lying_file_fails_once_and_leaves_the_queue(tenant: Any, previews_worker: Any) -> None:
    rid = upload(tenant, b"PK\x03\x04 this is a zip archive", "photo.jpg", "image/jpeg")
    assert previews_worker.drain() == 1
    resource = stored(tenant, rid)
    assert (resource.preview_state, resource.preview_reason) == ("failed", "not a valid image")
    assert previews_worker.queued() == 0


def _send(previews_worker: Any, body: Any) -> None:
    from chalicelib.aws import sqs

    sqs().send_message(QueueUrl=previews_worker.queue_url, MessageBody=body if isinstance(body, str) else json.dumps(body))


def s3_event(key: str, bucket: str | None = None, name: str = "ObjectCreated:Put") -> dict[str, Any]:
    """The S3 notification carried by the sample SQS message (tests/events/sqs/s3_object_created.json)."""
    from urllib.parse import quote_plus

    from chalicelib.config import settings

    notification: dict[str, Any] = json.loads(event("sqs/s3_object_created")["Records"][0]["body"])
    record = notification["Records"][0]
    record["eventName"] = name
    record["s3"]["bucket"]["name"] = bucket or settings().files_bucket
    record["s3"]["object"]["key"] = quote_plus(key)
    return notification


def test_events_it_must_not_act_on_are_skipped(previews_worker: Any, caplog: Any) -> None:
    _send(previews_worker, {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"})
    _send(previews_worker, s3_event("previews/b/r/v1/640.webp"))
    _send(previews_worker, s3_event("uploads/b/r/v1/x.jpg", name="ObjectRemoved:Delete"))
    _send(previews_worker, s3_event("uploads/b/r/v1/x.jpg", bucket="someone-elses-bucket"))
    _send(previews_worker, s3_event("uploads/nobody/nothing/v1/x.jpg"))
    with caplog.at_level(logging.INFO, logger="paydrop.workers"):
        assert previews_worker.drain() == 5
    messages = [r.getMessage() for r in caplog.records]
    assert any("s3:TestEvent" in m for m in messages)
    assert "preview of uploads/nobody/nothing/v1/x.jpg: skipped: no such file resource" in messages


def test_a_message_that_is_not_an_s3_event_is_retried_then_dead_lettered(previews_worker: Any) -> None:
    _send(previews_worker, "not json")
    with pytest.raises(ValueError):
        previews_worker.drain()
    assert previews_worker.queued() == 1  # left for SQS: redelivered, after 5 receives in the DLQ
    previews_worker.discard()


def test_previews_made_and_failed_are_counted(tenant: Any, previews_worker: Any, capsys: Any) -> None:
    from tests.support.metrics import emitted

    upload(tenant, jpeg(), "photo.jpg", "image/jpeg")
    upload(tenant, b"PK\x03\x04 this is a zip archive", "also-a-photo.jpg", "image/jpeg")
    emitted(capsys)
    assert previews_worker.drain() == 2
    assert emitted(capsys) == {"PreviewsMade": 1, "PreviewsFailed": 1}
    assert previews_worker.drain() == 0
