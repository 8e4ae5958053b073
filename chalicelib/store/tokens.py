"""Token items: `TOKEN#{sha256(token)}` → what the token opens. Only hashes are keys."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.tokens import looks_like_token, token_hash
from chalicelib.store.table import BaseItem, conditional

INVOICE_SHARE = "invoice_share"
FILE_ACCESS = "file_access"
CLAIM = "claim"
PORTAL = "portal"
EMAIL_PREFERENCES = "email_preferences"
CLIENT_SIGN_IN = "client_sign_in"  # one-time email links; expire after 15 minutes
EMAIL_CHANGE = "email_change"  # a contact confirming their new address; expires after 24 hours
STATEMENT = "statement"  # an emailed statement of account (one period, one contact)
REGISTRATION = "registration"  # a business's self-registration page (the staff rotate it)
REGISTRATION_VERIFY = "registration_verify"  # the emailed link that creates the registered client
STAFF_PREVIEW = "staff_preview"  # "Preview as client": one use, two minutes (services/portal/staff_preview.py)
BUY_LINK = "buy_link"  # a buy link's public page (the staff pause, resume or delete it)


class Token(BaseItem, discriminator="token"):
    purpose = UnicodeAttribute()
    business_id = UnicodeAttribute()
    target_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    email = UnicodeAttribute(null=True)  # sign-in links: the address that was verified by clicking


def token_pk(token: str) -> str:
    return f"TOKEN#{token_hash(token)}"


def new_token_item(token: str, purpose: str, business_id: str, target_id: str, created_at: str,
                   **fields: Any) -> Token:
    return Token(
        token_pk(token), "TOKEN",
        purpose=purpose, business_id=business_id, target_id=target_id, created_at=created_at, **fields,
    )


def find_token(token: str, purpose: str) -> Token | None:
    """The live token item for `token`, if it exists and was minted for `purpose`."""
    try:
        item = Token.get(token_pk(token), "TOKEN")
    except Token.DoesNotExist:
        return None
    return item if item.purpose == purpose else None


def unexpired_link(token: str, purpose: str, now: datetime) -> Token | None:
    """The item of an emailed one-time link minted for `purpose`, unless it expired by `now`
    (DynamoDB deletes expired items lazily, within days: the expiry is checked here too)."""
    item = find_token(token, purpose) if looks_like_token(token) else None
    expires = item.expires_at if item is not None else None
    if item is None or expires is None or (expires if expires.tzinfo else expires.replace(tzinfo=UTC)) <= now:
        return None
    return item


def use_once(item: Token, message: str) -> None:
    """Consume a one-time link: one conditional delete, so of concurrent uses exactly one gets
    through; the others, like a link used already, raise NotFound(message)."""
    try:
        conditional(lambda: item.delete(condition=Token.pk.exists()), message)
    except Conflict as e:
        raise NotFound(message) from e
