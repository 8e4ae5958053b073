"""Writing a large file to S3 in constant memory: a multipart upload fed part by part.

The caller writes text; every `PART_BYTES` of it is sent as one part, so what is held is one
part, whatever the file's size (S3 allows 10,000 parts of at least 5 MiB each but the last:
8 MiB parts carry files up to 78 GiB). An upload that fails is aborted, so no parts linger.
"""
from __future__ import annotations

import io
from types import TracebackType
from typing import Any

from chalicelib.aws import s3

PART_BYTES = 8 * 1024 * 1024


class MultipartText:
    """`with MultipartText(bucket, key, "text/csv") as out: out.write(...)`; completed on a clean
    exit, aborted on an exception. `parts_sent` and `size` say how far it got."""

    def __init__(self, bucket: str, key: str, content_type: str, part_bytes: int = PART_BYTES) -> None:
        self.bucket, self.key, self.content_type, self.part_bytes = bucket, key, content_type, part_bytes
        self.buffer = io.StringIO()
        self.buffered = 0  # characters in `buffer`; a part is cut when their UTF-8 reaches part_bytes
        self.parts: list[dict[str, Any]] = []
        self.size = 0
        self.upload_id = ""

    def __enter__(self) -> MultipartText:
        self.upload_id = s3().create_multipart_upload(Bucket=self.bucket, Key=self.key,
                                                      ContentType=self.content_type)["UploadId"]
        return self

    def write(self, text: str) -> int:
        self.buffered += self.buffer.write(text)
        if self.buffered >= self.part_bytes:  # characters ≤ bytes: never a part under the minimum
            self._send()
        return len(text)

    @property
    def parts_sent(self) -> int:
        return len(self.parts)

    def _send(self) -> None:
        body = self.buffer.getvalue().encode()
        self.buffer, self.buffered = io.StringIO(), 0
        number = len(self.parts) + 1
        etag = s3().upload_part(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number,
                                Body=body)["ETag"]
        self.parts.append({"PartNumber": number, "ETag": etag})
        self.size += len(body)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if kind is not None:
            s3().abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)
            return
        if self.buffered or not self.parts:  # the last part may be small, or the only one empty
            self._send()
        s3().complete_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id,
                                       MultipartUpload={"Parts": self.parts})
