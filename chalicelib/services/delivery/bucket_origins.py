"""Where browsers reach the files bucket: the origins boto3 presigns our URLs for, which the
pages' Content-Security-Policy must allow. boto3 signs locally: no network call."""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from chalicelib.aws import s3
from chalicelib.config import settings


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# A bucket name S3 serves as a virtual host over https (no dots, which would break its TLS name).
_VIRTUAL_HOSTABLE = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")


@lru_cache(maxsize=1)
def download_origin() -> str:
    """The origin(s) of presigned GETs (logos, thumbnails, PDFs, downloads), space-separated.

    Every client page's CSP names them, and creating an S3 client only to presign a dummy URL
    costs ~100 ms of a cold start (S3's service model and endpoint rules), so they are written
    out here: path style at a local endpoint (`aws.py`), else the bucket's virtual host. boto3
    signs for the global one (`bucket.s3.amazonaws.com`) in every region today; the regional
    one is allowed too, so a runtime botocore that signs regionally still shows the logo.
    tests/api/test_invoice_page.py compares them with what boto3 signs."""
    config = settings()
    if config.aws_endpoint_url:
        return _origin(config.aws_endpoint_url)
    # China and the isolated regions use other domains: there, ask boto3.
    if _VIRTUAL_HOSTABLE.fullmatch(config.files_bucket) and not config.region.startswith(("cn-", "us-iso")):
        bucket = config.files_bucket
        return f"https://{bucket}.s3.amazonaws.com https://{bucket}.s3.{config.region}.amazonaws.com"
    return _signed_download_origin()


def _signed_download_origin() -> str:
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
