"""Resources: links validated, files uploaded straight to S3 and confirmed only when stored."""
from __future__ import annotations

import base64
import json
from typing import Any

import requests


def _upload(plan: dict[str, Any], content: bytes, content_type: str) -> int:
    files = {"file": ("f", content, content_type)}
    return requests.post(plan["url"], data=plan["fields"], files=files, timeout=10).status_code


def test_a_link_resource_is_ready_at_once(tenant: Any) -> None:
    reply = tenant.api.post("/api/v1/resources", {"kind": "link", "title": "Manual", "url": "https://example.com/manual",
                                                  "tags": ["docs"]})
    assert reply.status == 201
    assert reply.json["upload"] is None
    assert reply.json["resource"]["status"] == "ready" and reply.json["resource"]["tags"] == ["docs"]


def test_unsafe_links_are_refused_and_nothing_is_stored(tenant: Any) -> None:
    for url in ("javascript:alert(1)", "http://example.com", "https://127.0.0.1/admin", "https://localhost/"):
        reply = tenant.api.post("/api/v1/resources", {"kind": "link", "title": "x", "url": url})
        assert reply.status == 400 and reply.error["field"] == "url", url
    assert tenant.api.get("/api/v1/resources").json["items"] == []


def test_a_file_is_uploaded_to_s3_and_confirmed(tenant: Any) -> None:
    content = b"%PDF-1.4 hello"
    reply = tenant.api.post("/api/v1/resources", {"kind": "file", "title": "Guide", "file": {
        "filename": "../Guide final.pdf", "size": len(content), "content_type": "application/pdf"}})
    assert reply.status == 201
    resource, plan = reply.json["resource"], reply.json["upload"]
    assert resource["status"] == "uploading" and plan["method"] == "post"
    key = plan["fields"]["key"]
    assert key.startswith(f"uploads/{tenant.business_id}/{resource['resource_id']}/v1/") and key.endswith("Guide final.pdf")
    path = f"/api/v1/resources/{resource['resource_id']}"
    assert tenant.api.post(path + "/upload/confirm").status == 409  # nothing uploaded yet
    assert _upload(plan, content, "application/pdf") in (200, 204)
    confirmed = tenant.api.post(path + "/upload/confirm")
    assert confirmed.status == 200
    assert confirmed.json["status"] == "ready" and confirmed.json["version"] == 1 and confirmed.json["size"] == len(content)


def test_the_upload_policy_pins_key_exact_size_and_type(tenant: Any) -> None:
    reply = tenant.api.post("/api/v1/resources", {"kind": "file", "title": "Big", "file": {
        "filename": "a.zip", "size": 1234, "content_type": "application/zip"}})
    plan = reply.json["upload"]
    policy = json.loads(base64.b64decode(plan["fields"]["policy"]))
    assert ["content-length-range", 1234, 1234] in policy["conditions"]
    assert {"Content-Type": "application/zip"} in policy["conditions"]
    assert {"key": plan["fields"]["key"]} in policy["conditions"]
    assert {"bucket": plan["url"].rstrip("/").rsplit("/", 1)[-1]} in policy["conditions"] or "bucket" in str(policy)


def test_a_file_of_another_size_is_not_confirmed(tenant: Any) -> None:
    reply = tenant.api.post("/api/v1/resources", {"kind": "file", "title": "x", "file": {
        "filename": "a.txt", "size": 10, "content_type": "text/plain"}})
    # moto does not enforce POST policies, so a lying browser can store other bytes: confirm must catch it.
    _upload(reply.json["upload"], b"12345", "text/plain")
    confirm = tenant.api.post(f"/api/v1/resources/{reply.json['resource']['resource_id']}/upload/confirm")
    assert confirm.status == 409 and "5 bytes" in confirm.error["message"]


def test_oversized_or_bad_files_are_refused(tenant: Any) -> None:
    for spec, field in [
        ({"filename": "a", "size": 50 * 1024**3 + 1, "content_type": "application/zip"}, "size"),
        ({"filename": "a", "size": 0, "content_type": "application/zip"}, "file.size"),
        ({"filename": "a", "size": 5, "content_type": "zip"}, "content_type"),
        ({"filename": "a", "size": 5, "content_type": "text/plain", "sha256": "abc"}, "file.sha256"),
    ]:
        reply = tenant.api.post("/api/v1/resources", {"kind": "file", "title": "x", "file": spec})
        assert reply.status == 400 and reply.error["field"] == field, (spec, reply.body)
    assert tenant.api.get("/api/v1/resources").json["items"] == []


def test_large_files_use_resumable_multipart_uploads(tenant: Any) -> None:
    size = 6 * 1024**3
    reply = tenant.api.post("/api/v1/resources", {"kind": "file", "title": "Video", "file": {
        "filename": "film.mp4", "size": size, "content_type": "video/mp4"}})
    assert reply.status == 201
    plan = reply.json["upload"]
    assert plan["method"] == "multipart" and plan["part_size"] * plan["part_count"] >= size
    path = f"/api/v1/resources/{reply.json['resource']['resource_id']}"
    urls = tenant.api.post(path + "/upload/parts", {"part_numbers": [1, 2]}).json["parts"]
    assert [u["part_number"] for u in urls] == [1, 2]
    assert "X-Amz-Expires=900" in urls[0]["url"] and "uploadId=" in urls[0]["url"]
    etag = requests.put(urls[0]["url"], data=b"x" * 1024, timeout=10).headers["ETag"]
    assert tenant.api.get(path + "/upload/parts").json["parts"] == [{"part_number": 1, "etag": etag, "size": 1024}]
    assert tenant.api.delete(path + "/upload").status == 200
    assert tenant.api.get(path).json["upload_in_progress"] is False


def test_a_new_version_replaces_the_file(tenant: Any) -> None:
    first = tenant.api.post("/api/v1/resources", {"kind": "file", "title": "Doc", "file": {
        "filename": "doc.txt", "size": 3, "content_type": "text/plain"}}).json
    path = f"/api/v1/resources/{first['resource']['resource_id']}"
    _upload(first["upload"], b"one", "text/plain")
    tenant.api.post(path + "/upload/confirm")
    second = tenant.api.post(path + "/versions", {"filename": "doc.txt", "size": 3, "content_type": "text/plain"})
    assert second.status == 201 and "/v2/" in second.json["upload"]["fields"]["key"]
    _upload(second.json["upload"], b"two", "text/plain")
    assert tenant.api.post(path + "/upload/confirm").json["version"] == 2


def test_resources_of_another_business_are_invisible(make_tenant: Any) -> None:
    mine, theirs = make_tenant(), make_tenant()
    rid = mine.api.post("/api/v1/resources", {"kind": "link", "title": "x", "url": "https://example.com"}).json["resource"]["resource_id"]
    for method, suffix, body in [("GET", "", None), ("PATCH", "", {"title": "pwned"}), ("POST", "/upload/confirm", {}),
                                 ("POST", "/versions", {"filename": "a", "size": 1, "content_type": "text/plain"})]:
        assert theirs.api.call(method, f"/api/v1/resources/{rid}{suffix}", body).status == 404
    assert mine.api.get(f"/api/v1/resources/{rid}").json["title"] == "x"


def test_a_preview_recorded_while_the_upload_is_confirmed_is_not_undone(tenant: Any, monkeypatch: Any) -> None:
    """The S3 event (→ previews worker) usually lands before the browser confirms: the confirm
    must write only its own fields, not put back the item it read before the worker wrote."""
    from chalicelib import aws
    from chalicelib.store.resources import Resource, get_resource

    made = tenant.api.post("/api/v1/resources", {"kind": "file", "title": "Photo", "file": {
        "filename": "p.jpg", "size": 4, "content_type": "image/jpeg"}}).json
    plan, rid = made["upload"], made["resource"]["resource_id"]
    requests.post(plan["url"], data=plan["fields"], files={"file": ("f", b"jpeg", "image/jpeg")}, timeout=10)
    real_get = aws.s3().get_object  # confirm's one read of the object (its first bytes)

    def read_then_worker_writes(**kwargs: Any) -> Any:
        stored = get_resource(tenant.business_id, rid)
        assert stored is not None
        stored.update(actions=[Resource.preview_status.set("failed"), Resource.preview_reason.set("damaged"),
                               Resource.preview_version.set(1)])
        return real_get(**kwargs)

    monkeypatch.setattr(aws.s3(), "get_object", read_then_worker_writes)
    assert tenant.api.post(f"/api/v1/resources/{rid}/upload/confirm").status == 200
    stored = get_resource(tenant.business_id, rid)
    assert stored is not None and (stored.preview_status, stored.preview_reason) == ("failed", "damaged")
