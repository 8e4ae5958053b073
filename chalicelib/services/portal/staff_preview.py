""""Preview as client": staff open the client's view of an invoice, or of a contact's portal,
without being counted as the client.

The dashboard signs in with a bearer token, which a new browser tab cannot send; so staff ask
the staff API for a preview link (`start_*`), and the tab opens it. The link is safe to hand
to a browser because it is useless to anyone else:

- it works once: opening it deletes its token item (a conditional delete, so two opens cannot
  both succeed) — a copy in the browser history, a proxy log or a forwarded message is dead;
- it works for `PREVIEW_SECONDS` only (the expiry is checked here; the TTL cleans up);
- it opens read-only pages: the page says it is a preview, its links lead nowhere, its forms
  cannot submit (`form-action 'none'`), and it queues no view and writes no access-log entry
  as the client (it is not rendered by the client routes, which are the only ones that track).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib import clock
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import looks_like_token, new_token
from chalicelib.services.accounts.clients import get_client
from chalicelib.services.billing.documents import get_document
from chalicelib.store import documents as docs
from chalicelib.store import tokens
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.clients import get_contact
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import BaseItem, conditional, iso

PREVIEW_SECONDS = 120
PREVIEWS_PER_MINUTE = 30  # per business: each one writes a token item
INVOICE, PORTAL = "invoice", "portal"
GONE = "This preview link was already opened or has expired. Open “Preview as client” again from the dashboard."


@dataclass(frozen=True)
class PreviewTarget:
    """What a preview link opens, for one business."""

    business: Business
    kind: str  # INVOICE or PORTAL
    doc_id: str | None = None
    client_id: str | None = None
    contact_id: str | None = None


def preview_path(token: str) -> str:
    return f"/preview/{token}"


def start_invoice_preview(principal: Principal, doc_id: str) -> str:
    """A one-time preview link's token for this invoice (drafts too: preview before sending)."""
    get_document(principal, rules.INVOICE, doc_id)
    return _mint(principal, f"{INVOICE}:{doc_id}")


def start_portal_preview(principal: Principal, client_id: str, contact_id: str) -> str:
    """A one-time preview link's token for this contact's portal."""
    get_client(principal, client_id)
    if get_contact(principal.business_id, client_id, contact_id) is None:
        raise NotFound("Contact not found.", field="contact_id")
    return _mint(principal, f"{PORTAL}:{client_id}:{contact_id}")


def _mint(principal: Principal, target: str) -> str:
    now = clock.now()
    hit(f"preview#{principal.business_id}", PREVIEWS_PER_MINUTE, 60, now,
        "Too many previews at once. Wait a minute and try again.")
    token = new_token()
    tokens.new_token_item(token, tokens.STAFF_PREVIEW, principal.business_id, target, iso(now),
                          email=principal.email, expires_at=now + timedelta(seconds=PREVIEW_SECONDS)).save(
        condition=tokens.Token.pk.does_not_exist())
    return token


def open_preview(token: str) -> PreviewTarget:
    """Consume the preview link behind `token`; NotFound if unknown, used or expired."""
    if not looks_like_token(token):
        raise NotFound(GONE)
    item = tokens.find_token(token, tokens.STAFF_PREVIEW)
    if item is None or item.expires_at is None or _utc(item.expires_at) <= clock.now():
        raise NotFound(GONE)
    try:
        conditional(lambda: item.delete(condition=tokens.Token.pk.exists()), GONE)
    except Conflict as e:  # another open won: the same answer as an unknown link
        raise NotFound(GONE) from e
    business = get_business(item.business_id)
    if business is None:
        raise NotFound(GONE)
    kind, _, rest = item.target_id.partition(":")
    if kind == INVOICE:
        return PreviewTarget(business, INVOICE, doc_id=rest)
    client_id, _, contact_id = rest.partition(":")
    if get_contact(item.business_id, client_id, contact_id) is None:
        raise NotFound(GONE)  # the contact was removed since the link was made
    return PreviewTarget(business, PORTAL, client_id=client_id, contact_id=contact_id)


def previewed_invoice(target: PreviewTarget) -> tuple[docs.Document, list[BaseItem]]:
    """The invoice of an invoice preview and everything stored with it (one Query)."""
    document, stored = docs.load_collection(target.business.business_id, str(target.doc_id))
    if document is None or document.kind != rules.INVOICE:
        raise NotFound(GONE)
    return document, stored


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
