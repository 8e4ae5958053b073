"""Uploaded files are typed by their content, not by what the browser declared: a program
renamed `.jpg` is refused as a logo and served as what it is when it is a deliverable."""
from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.conftest import Api, local_path

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 0, 0)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def s3_calls(aws: Any) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """(operation, request headers) of every S3 request sent while the test runs (presigning
    sends nothing, so presigned URLs are not counted)."""
    from chalicelib.aws import s3

    calls: list[tuple[str, dict[str, Any]]] = []

    def record(model: Any, params: Any, **_: Any) -> None:
        calls.append((model.name, dict(params.get("headers") or {})))

    events = s3().meta.events
    events.register("before-call.s3", record)
    yield calls
    events.unregister("before-call.s3", record)


def _ranged_gets_only(calls: list[tuple[str, dict[str, Any]]]) -> None:
    """One GetObject of at most 4 KiB: `bytes=0-4095`."""
    assert [name for name, _ in calls] == ["GetObject"], calls
    first, last = calls[0][1]["Range"].removeprefix("bytes=").split("-")
    assert int(last) - int(first) + 1 <= 4096


def _upload_logo(tenant: Any, content: bytes, content_type: str) -> str:
    plan = tenant.api.post("/api/v1/business/logo-upload", {"content_type": content_type, "size": len(content)}).json
    sent = requests.post(plan["url"], data=plan["fields"], files={"file": ("logo.jpg", content, content_type)}, timeout=10)
    assert sent.status_code in (200, 204)
    return str(plan["key"])


def _exists(key: str) -> bool:
    from botocore.exceptions import ClientError

    from chalicelib.aws import s3
    from chalicelib.config import settings

    try:
        s3().head_object(Bucket=settings().files_bucket, Key=key)
    except ClientError:
        return False
    return True


def test_a_program_renamed_jpg_is_refused_as_a_logo_deleted_and_the_old_logo_stays(
        tenant: Any, anonymous: Api, s3_calls: list[tuple[str, dict[str, Any]]]) -> None:
    good = _upload_logo(tenant, _png(), "image/png")
    s3_calls.clear()
    assert tenant.api.patch("/api/v1/business", {"logo_key": good}).status == 200
    _ranged_gets_only(s3_calls)  # a real image: one ranged GET, no HEAD

    fake = _upload_logo(tenant, EXE, "image/jpeg")
    s3_calls.clear()
    reply = tenant.api.patch("/api/v1/business", {"logo_key": fake, "name": "Renamed"})
    assert reply.status == 400 and reply.error["field"] == "logo_key"
    assert "not a PNG, JPEG or WebP image" in reply.error["message"]
    assert [name for name, _ in s3_calls] == ["GetObject", "DeleteObject"]
    assert not _exists(fake)
    profile = tenant.api.get("/api/v1/business").json
    assert profile["logo_key"] == good and profile["name"] != "Renamed"  # nothing written
    page = local_path(tenant.share(tenant.invoice()["id"]))
    logo_url = anonymous.get(page, headers={"Accept": "application/json"}).json["business"]["logo_url"]
    assert requests.get(logo_url, timeout=10).content.startswith(b"\x89PNG")  # clients still see the real logo


def test_a_text_file_declared_png_is_refused_as_a_logo(tenant: Any) -> None:
    key = _upload_logo(tenant, b"<svg onload=alert(1)>", "image/png")
    reply = tenant.api.patch("/api/v1/business", {"logo_key": key})
    assert reply.status == 400 and reply.error["field"] == "logo_key"
    assert tenant.api.get("/api/v1/business").json["logo_key"] is None


def _confirm(tenant: Any, content: bytes, filename: str, declared: str,
             s3_calls: list[tuple[str, dict[str, Any]]] | None = None) -> dict[str, Any]:
    made = tenant.api.post("/api/v1/resources", {"kind": "file", "title": filename, "file": {
        "filename": filename, "size": len(content), "content_type": declared}}).json
    plan = made["upload"]
    requests.post(plan["url"], data=plan["fields"], files={"file": ("f", content, declared)}, timeout=10)
    if s3_calls is not None:
        s3_calls.clear()
    confirmed = tenant.api.post(f"/api/v1/resources/{made['resource']['resource_id']}/upload/confirm")
    assert confirmed.status == 200, confirmed.body
    return confirmed.json  # type: ignore[no-any-return]


def test_a_program_uploaded_as_jpeg_is_recorded_as_a_program_with_a_warning_for_staff(
        tenant: Any, anonymous: Api, s3_calls: list[tuple[str, dict[str, Any]]]) -> None:
    resource = _confirm(tenant, EXE, "photo.jpg", "image/jpeg", s3_calls)
    _ranged_gets_only(s3_calls)  # one ranged GET per confirm, no HEAD
    assert resource["content_type"] == "application/vnd.microsoft.portable-executable"
    assert resource["declared_content_type"] == "image/jpeg"
    assert "image/jpeg" in resource["type_warning"] and "Windows program" in resource["type_warning"]
    listed = tenant.api.get("/api/v1/resources").json["items"]
    assert listed[0]["type_warning"] == resource["type_warning"]

    invoice = tenant.invoice()
    grant = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/resources",
                            {"resource_id": resource["resource_id"], "policy": "visible"}).json
    download = anonymous.get(local_path(grant["download_url"]))
    assert download.status == 302
    query = parse_qs(urlsplit(download.headers["Location"]).query)
    assert query["response-content-type"] == ["application/vnd.microsoft.portable-executable"]
    served = requests.get(download.headers["Location"], timeout=10)
    assert served.headers["Content-Type"] == "application/vnd.microsoft.portable-executable"


@pytest.mark.parametrize(("content", "filename", "declared", "recorded"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "guide.pdf", "application/pdf", "application/pdf"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"\x00" * 16 + b"[Content_Types].xml" + b"\x00" * 40
     + b"word/document.xml", "contract.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"name,amount\nAda,10\n", "export.csv", "text/csv", "text/csv"),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", "clip.mp4", "video/mp4", "video/mp4"),
])
def test_files_that_are_what_they_say_get_no_warning(
        tenant: Any, content: bytes, filename: str, declared: str, recorded: str) -> None:
    resource = _confirm(tenant, content, filename, declared)
    assert (resource["content_type"], resource["type_warning"]) == (recorded, None)

