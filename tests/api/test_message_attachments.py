"""Files with messages: the team uploads through a presigned POST pinned to name, size and type;
the portal (no script) posts the file to S3 and S3 sends the browser back to confirm. Types are
read from the bytes, previews come from the previews worker, and only the conversation's own
client downloads a sent file."""
from __future__ import annotations

import base64
import json
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import Api
from tests.support.client_flows import FORM
from tests.support.messaging import talk


@pytest.fixture(autouse=True)
def _own_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.services.messaging import portal_view

    monkeypatch.setattr(portal_view, "PER_IP", 10_000)


def _png() -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (200, 120), (15, 118, 110)).save(out, "PNG")
    return out.getvalue()


def test_the_team_attaches_a_file_the_client_downloads_with_a_preview(
        tenant: Any, anonymous: Api, previews_worker: Any) -> None:
    t = talk(tenant, anonymous)
    conversation_id = tenant.api.post("/api/v1/conversations", {"client_id": t.client_id, "text": "Draft"}).json[
        "conversation_id"]
    content = _png()
    started = tenant.api.post(f"/api/v1/conversations/{conversation_id}/attachments",
                              {"filename": "draft.png", "size": len(content), "content_type": "image/png"})
    assert started.status == 201, started.body
    plan = started.json["upload"]
    policy = json.loads(base64.b64decode(plan["fields"]["policy"]))
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert ["content-length-range", len(content), len(content)] in policy["conditions"]
    assert requests.post(plan["url"], data=plan["fields"], files={"file": ("f", content, "image/png")},
                         timeout=10).status_code in (200, 204)
    attachment_id = started.json["attachment_id"]
    confirmed = tenant.api.post(f"/api/v1/conversations/{conversation_id}/attachments/{attachment_id}/confirm")
    assert confirmed.status == 200 and confirmed.json["content_type"] == "image/png"
    sent = tenant.api.post(f"/api/v1/conversations/{conversation_id}/messages", {"text": "", "attachments": [attachment_id]})
    assert sent.status == 201, sent.body
    previews_worker.drain()

    [_, message] = t.view()["messages"]
    [file] = message["attachments"]
    assert (file["filename"], file["size"]) == ("draft.png", len(content)) and file["preview_url"]
    download = anonymous.get(urlsplit(file["url"]).path)
    assert download.status == 303
    assert "response-content-disposition=attachment" in download.headers["Location"]
    other = talk(tenant, anonymous, "Other Co", "olga@other.test")
    assert anonymous.get(f"{other.portal}/message-files/{conversation_id}/{attachment_id}").status == 404


def test_a_file_not_sent_yet_cannot_be_downloaded_nor_sent_by_someone_else(tenant: Any, anonymous: Api) -> None:
    from chalicelib.aws import s3
    from chalicelib.config import settings
    from chalicelib.store.resources import get_resource

    t = talk(tenant, anonymous)
    conversation_id = tenant.api.post("/api/v1/conversations", {"client_id": t.client_id, "text": "x"}).json[
        "conversation_id"]
    attachment_id = tenant.api.post(f"/api/v1/conversations/{conversation_id}/attachments",
                                    {"filename": "a.txt", "size": 5, "content_type": "text/plain"}).json["attachment_id"]
    key = get_resource(tenant.business_id, attachment_id).pending_key  # type: ignore[union-attr]
    s3().put_object(Bucket=settings().files_bucket, Key=key, Body=b"hello")
    assert tenant.api.post(f"/api/v1/conversations/{conversation_id}/attachments/{attachment_id}/confirm").status == 200
    assert anonymous.get(f"{t.portal}/message-files/{conversation_id}/{attachment_id}").status == 404
    # The contact cannot send the team's upload as its own.
    assert t.say("mine now", attachments=attachment_id).status == 404


def test_the_portal_attaches_without_script_through_s3s_redirect(tenant: Any, anonymous: Api) -> None:
    t = talk(tenant, anonymous)
    started = anonymous.call("POST", f"{t.portal}/message-uploads", "", headers=FORM)
    assert started.status == 200 and 'enctype="multipart/form-data"' in started.text
    assert "form-action" in started.headers["Content-Security-Policy"]
    plan = anonymous.call("POST", f"{t.portal}/message-uploads", "", headers={**FORM, "Accept": "application/json"}).json
    policy = json.loads(base64.b64decode(plan["upload"]["fields"]["policy"]))
    assert ["content-length-range", 1, 100 * 1024 * 1024] in policy["conditions"]
    back = plan["upload"]["fields"]["success_action_redirect"]
    assert {"success_action_redirect": back} in policy["conditions"]
    uploaded = requests.post(plan["upload"]["url"], data=plan["upload"]["fields"],
                             files={"file": ("contract.pdf", b"%PDF-1.7\nsigned", "application/pdf")},
                             timeout=10, allow_redirects=False)
    assert uploaded.status_code == 303
    returned = urlsplit(uploaded.headers["Location"])
    confirmed = anonymous.get(f"{returned.path}?{returned.query}")
    assert confirmed.status == 303 and "attachments=" in confirmed.headers["Location"]
    page = urlsplit(confirmed.headers["Location"])
    shown = anonymous.get(f"{page.path}?{page.query}", headers={"Accept": "text/html"})
    assert 'data-testid="pending-attachments"' in shown.text and "attachment.pdf" in shown.text
    ids = page.query.split("attachments=")[1]
    assert t.say("Signed contract attached", attachments=ids).status == 303
    [message] = t.view()["messages"]
    assert [a["filename"] for a in message["attachments"]] == ["attachment.pdf"]
    conversation = tenant.api.get(f"/api/v1/conversations/{t.conversation_id()}").json
    assert conversation["messages"][0]["attachments"][0]["content_type"] == "application/pdf"


def test_a_portal_upload_larger_than_100_mb_is_refused_at_confirm(tenant: Any, anonymous: Api) -> None:
    """moto ignores POST policies: the confirm step checks the stored size itself."""
    from chalicelib.aws import s3
    from chalicelib.config import settings
    from chalicelib.store.resources import get_resource

    t = talk(tenant, anonymous)
    plan = anonymous.call("POST", f"{t.portal}/message-uploads", "", headers={**FORM, "Accept": "application/json"}).json
    key = get_resource(tenant.business_id, plan["attachment_id"]).pending_key  # type: ignore[union-attr]
    s3().put_object(Bucket=settings().files_bucket, Key=key, Body=b"x" * (100 * 1024 * 1024 + 1))
    back = urlsplit(plan["upload"]["fields"]["success_action_redirect"])
    refused = anonymous.get(back.path, headers={"Accept": "application/json"})
    assert refused.status == 400 and "100 MB" in refused.json["error"]["message"]
