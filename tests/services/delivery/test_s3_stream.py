"""Large files go to S3 part by part: what is held is one part, whatever the file's size."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def s3_calls(aws: Any) -> Iterator[list[tuple[str, int]]]:
    """(operation, body bytes) of each S3 call the app's client makes while the test runs."""
    from chalicelib.aws import s3

    calls: list[tuple[str, int]] = []
    events = s3().meta.events

    def record(model: Any, params: Any, **_: Any) -> None:
        body = params.get("Body")  # botocore has wrapped the part's bytes in a BytesIO by now
        calls.append((model.name, len(body.getbuffer()) if hasattr(body, "getbuffer") else len(body or b"")))

    # before-parameter-build: the operation's API parameters (the body as the app handed it over)
    events.register("before-parameter-build.s3", record)
    yield calls
    events.unregister("before-parameter-build.s3", record)


def test_text_past_a_part_is_sent_in_parts_and_reads_back_whole(s3_calls: list[tuple[str, int]]) -> None:
    from chalicelib.aws import s3
    from chalicelib.config import settings
    from chalicelib.services.delivery.s3_stream import PART_BYTES, MultipartText

    line = "2026-01-01T00:00:00.000Z,download,ok,link,Zoë €\n"  # multi-byte characters too
    lines = PART_BYTES // len(line) + 20_000
    with MultipartText(settings().files_bucket, "exports/test/parts.csv", "text/csv") as out:
        for _ in range(lines):
            out.write(line)
    sent = [(name, size) for name, size in s3_calls if name == "UploadPart"]
    assert len(sent) == 2 and sent[0][1] >= PART_BYTES  # the first part is full, the second holds the rest
    assert [name for name, _ in s3_calls] == ["CreateMultipartUpload", "UploadPart", "UploadPart",
                                             "CompleteMultipartUpload"]
    body = s3().get_object(Bucket=settings().files_bucket, Key="exports/test/parts.csv")["Body"].read()
    assert body == (line * lines).encode() and out.size == len(body)


def test_a_failed_write_leaves_no_file_and_no_parts(s3_calls: list[tuple[str, int]]) -> None:
    from chalicelib.aws import s3
    from chalicelib.config import settings
    from chalicelib.services.delivery.s3_stream import MultipartText

    bucket, key = settings().files_bucket, "exports/test/failed.csv"
    with pytest.raises(ZeroDivisionError), MultipartText(bucket, key, "text/csv") as out:
        out.write("at,action\n")
        out.write(str(1 / 0))
    assert [name for name, _ in s3_calls] == ["CreateMultipartUpload", "AbortMultipartUpload"]
    assert not s3().list_multipart_uploads(Bucket=bucket, Prefix=key).get("Uploads")
    assert "Contents" not in s3().list_objects_v2(Bucket=bucket, Prefix=key)
