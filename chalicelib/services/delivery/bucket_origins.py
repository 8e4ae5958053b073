"""Where browsers reach the files bucket: the origins boto3 presigns our URLs for, which the
pages' Content-Security-Policy must allow. boto3 signs locally: no network call."""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from chalicelib.aws import s3
from chalicelib.config import settings


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@lru_cache(maxsize=1)
def download_origin() -> str:
    """The origin of presigned GETs (logos, thumbnails, PDFs, downloads)."""
    url = s3().generate_presigned_url("get_object", Params={"Bucket": settings().files_bucket, "Key": "x"},
                                      ExpiresIn=60)
    return _origin(url)


@lru_cache(maxsize=1)
def browser_origins() -> str:
    """Space-separated origins of presigned GETs, POSTs (uploads) and part PUTs (multipart uploads)."""
    client, bucket = s3(), settings().files_bucket
    urls = [
        client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "x"}, ExpiresIn=60),
        client.generate_presigned_post(Bucket=bucket, Key="x", ExpiresIn=60)["url"],
        client.generate_presigned_url("upload_part", Params={"Bucket": bucket, "Key": "x", "UploadId": "x",
                                                             "PartNumber": 1}, ExpiresIn=60),
    ]
    return " ".join(sorted({_origin(url) for url in urls}))
