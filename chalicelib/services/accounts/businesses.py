"""The business profile and branding, including the logo upload."""
from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain.errors import NotFound, ValidationError
from chalicelib.domain.inputs import BusinessUpdate, LogoUploadInput
from chalicelib.domain.money import is_currency
from chalicelib.domain.principal import Principal
from chalicelib.domain.sniff import sniff
from chalicelib.domain.tokens import new_id
from chalicelib.services.delivery.sniffing import read_head
from chalicelib.services.notifications.email_render import check_locale
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.table import iso, update_item

LOGO_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
LOGO_MAX_BYTES = 1_000_000
UPLOAD_TTL_SECONDS = 300


def business_of(principal: Principal) -> Business:
    """The caller's business. Raises NotFound if it was removed."""
    business = get_business(principal.business_id)
    if business is None:
        raise NotFound("Your business was not found.")
    return business


def update_profile(principal: Principal, update: BusinessUpdate) -> Business:
    business = business_of(principal)
    changes = update.given()
    if "currency" in changes and not is_currency(str(changes["currency"])):
        raise ValidationError("Unknown currency code.", field="currency")
    if "time_zone" in changes and not is_time_zone(str(changes["time_zone"])):
        raise ValidationError("Unknown time zone: use a name like Europe/Paris or UTC.", field="time_zone")
    if "locale" in changes and changes["locale"] not in (business.locale, None):  # Babel loads only for a new one
        check_locale(changes["locale"])
    logo_key = changes.get("logo_key")
    if logo_key is not None:
        _check_logo_uploaded(principal.business_id, str(logo_key))
    past_due_rule = "revoke_when_past_due" in changes and bool(changes["revoke_when_past_due"]) != bool(
        business.revoke_when_past_due)
    update_item(business, changes, iso(clock.now()))
    if past_due_rule:  # files of subscriptions already past due follow the new rule now
        from chalicelib.services.subscriptions.access import follow_past_due_rule

        follow_past_due_rule(business.business_id)
    return business


def is_time_zone(name: str) -> bool:
    """A zone the IANA database knows (and not a file path: the pattern in inputs keeps those out)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def currency_for(principal: Principal, doc_id: str | None = None) -> str | None:
    """The currency amounts in a request are in: the document's, else the business's.
    Read only to word an error about an amount (never on the success path)."""
    from chalicelib.store.documents import get_document

    document = get_document(principal.business_id, doc_id) if doc_id else None
    if document is not None:
        return str(document.currency)
    business = get_business(principal.business_id)
    return str(business.currency) if business else None


def logo_prefix(business_id: str) -> str:
    return f"branding/{business_id}/"


def presign_logo_upload(principal: Principal, request: LogoUploadInput) -> dict[str, Any]:
    """A presigned POST that lets the browser upload a logo straight to S3 (≤ 1 MB, image)."""
    extension = LOGO_TYPES.get(request.content_type)
    if extension is None:
        raise ValidationError("The logo must be a PNG, JPEG or WebP image.", field="content_type")
    if request.size > LOGO_MAX_BYTES:
        raise ValidationError("The logo must be at most 1 MB.", field="size")
    key = f"{logo_prefix(principal.business_id)}logo-{new_id()}.{extension}"
    post = s3().generate_presigned_post(
        Bucket=settings().files_bucket, Key=key,
        Fields={"Content-Type": request.content_type},
        Conditions=[
            {"Content-Type": request.content_type},
            ["content-length-range", 1, LOGO_MAX_BYTES],
        ],
        ExpiresIn=UPLOAD_TTL_SECONDS,
    )
    return {"key": key, "url": post["url"], "fields": post["fields"], "expires_in": UPLOAD_TTL_SECONDS}


def _check_logo_uploaded(business_id: str, key: str) -> None:
    """The logo is there, at most 1 MB, and really an image: its first bytes are read (one
    ranged GET), since the declared type is only the file's extension. Anything else is
    deleted and refused, so the business keeps its old logo and client pages never show a
    broken image."""
    if not key.startswith(logo_prefix(business_id)):
        raise ValidationError("That logo does not belong to your business.", field="logo_key")
    head = read_head(key)
    if head is None:
        raise ValidationError("Upload the logo before saving it.", field="logo_key")
    if head.size > LOGO_MAX_BYTES:
        _discard(key)
        raise ValidationError("The logo must be at most 1 MB.", field="logo_key")
    if sniff(head.first_bytes) not in LOGO_TYPES:
        _discard(key)
        raise ValidationError("The logo file is not a PNG, JPEG or WebP image (whatever its name says). "
                              "Choose an image file and upload it again.", field="logo_key")


def _discard(key: str) -> None:
    s3().delete_object(Bucket=settings().files_bucket, Key=key)


def logo_url(business: Business) -> str | None:
    """A short-lived presigned GET for the logo, signed locally (no network call)."""
    if not business.logo_key:
        return None
    return str(s3().generate_presigned_url(
        "get_object", Params={"Bucket": settings().files_bucket, "Key": business.logo_key},
        ExpiresIn=settings().presign_ttl_seconds,
    ))


def logo_location(business_id: str) -> str:
    """Where the logo of `business_id` is right now (a fresh presigned GET): emails link to
    `/brand/{id}/logo`, which lasts, and are sent here. NotFound without a business or a logo."""
    business = get_business(business_id)
    if business is None or not business.logo_key:
        raise NotFound("There is no logo here.")
    return str(logo_url(business))
