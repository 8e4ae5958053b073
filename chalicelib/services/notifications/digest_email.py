"""The digest email itself: who it goes to, its links, its words and its headers.

A contact's digest links into the contact's own portal through its durable portal link (the
one staff can copy for them; minted here on the first digest if they have none, as the
preferences link is), so a click lands on the thing without signing in. The team's digest
links into the dashboard. Rendered by email_render (`email/digest.html`): branded HTML and plain
text; the items are people's own words, escaped in the HTML.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.domain.errors import Conflict
from chalicelib.domain.tokens import new_token
from chalicelib.services.notifications import email_render, mail
from chalicelib.services.notifications.notifications import preferences_token, preferences_url
from chalicelib.store import tokens
from chalicelib.store.businesses import Business
from chalicelib.store.clients import Contact, get_contact
from chalicelib.store.notifications import Notification
from chalicelib.store.table import iso, transaction

EXCERPT = 200  # characters of an item's text in the email
WORDS = {"messages": "messages", "approvals": "approval requests", "decisions": "decisions on deliverables",
         "milestones": "completed milestones", "invoices": "new invoices", "files": "new files"}


def contact_portal_token(business_id: str, contact: Contact) -> str:
    """The contact's portal link token, minted once if they have none (kept: old emails keep working).
    Removing the contact or revoking the link ends it, as for a link staff handed out."""
    if contact.portal_token:
        return contact.portal_token
    token = new_token()
    item = tokens.new_token_item(token, tokens.PORTAL, business_id, f"{contact.client_id}:{contact.contact_id}",
                                 iso(clock.now()))
    try:
        with transaction() as tx:
            tx.save(item, condition=tokens.Token.pk.does_not_exist())
            tx.update(contact, actions=[Contact.portal_token.set(token)],
                      condition=Contact.pk.exists() & Contact.portal_token.does_not_exist())
    except Conflict:
        again = get_contact(business_id, contact.client_id, contact.contact_id)
        if again is not None and again.portal_token:
            return again.portal_token  # minted meanwhile (staff, or another email): that one is the link
        raise
    return token


def portal_href(base: str, portal_path: str | None) -> str | None:
    """`portal_path` ("projects/{id}", "?tab=files") under a portal's `base` URL; None without one."""
    if not portal_path:
        return None
    return base + portal_path if portal_path.startswith("?") else f"{base}/{portal_path.lstrip('/')}"


def portal_link(token: str, note: Notification) -> str:
    base = f"{settings().public_base_url}/portal/{token}"
    return portal_href(base, note.portal_path) or f"{base}/notifications"


def dashboard_route(note: Notification) -> str:
    """The dashboard's hash route for `staff_path` ("/dashboard/projects/{id}", "#/projects/{id}"…)."""
    path = re.sub(r"^/?(dashboard|app)?/?#?/?", "", note.staff_path or "") or "notifications"
    return f"#/{path}"


def staff_link(note: Notification) -> str:
    return f"{settings().public_base_url}/app/{dashboard_route(note)}"


def excerpt(text: str | None) -> str | None:
    if not text:
        return None
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"


def subject(business: Business, count: int) -> str:
    return f"{count} update{'s' if count != 1 else ''} from {' '.join(business.name.split())}"


def reply_address(notes: Sequence[Notification]) -> str | None:
    """The reply address of the message in the digest: the only one carrying one, else the latest's."""
    carrying = [n for n in notes if n.category == "messages" and n.reply_to and mail.is_one_address(n.reply_to)]
    return carrying[-1].reply_to if carrying else None  # a malformed one is left out, not the email


def items(notes: Sequence[Notification], links: Sequence[str]) -> list[dict[str, str | None]]:
    """The digest's entries as `email/digest.html` shows them: title, excerpt, link."""
    return [{"title": n.title, "text": excerpt(n.text), "url": link} for n, link in zip(notes, links, strict=True)]


def for_contact(business: Business, contact: Contact, notes: Sequence[Notification]) -> mail.Email:
    """The contact's digest (`email/digest.html`, branded, text and HTML); its one-click unsubscribe
    turns off exactly the categories it carries."""
    token = contact_portal_token(business.business_id, contact)
    url = preferences_url(preferences_token(business.business_id, contact))
    categories = sorted({n.category for n in notes}, key=list(WORDS).index)
    data = {"contact_name": contact.name, "items": items(notes, [portal_link(token, n) for n in notes]),
            "kinds": ", ".join(WORDS[c] for c in categories),
            "all_url": f"{settings().public_base_url}/portal/{token}/notifications"}
    email = email_render.email_for(contact.email, "digest", business, data, preferences_url=url, headers={
        # RFC 8058: the mail client's "Unsubscribe" POSTs here: these categories only.
        "List-Unsubscribe": f"<{url}/unsubscribe?categories={','.join(categories)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    })
    return replace(email, reply_to=reply_address(notes))


def for_staff(business: Business, notes: Sequence[Notification]) -> mail.Email | None:
    """The team's digest, to the business's own address (the team inbox); None without one."""
    if not business.email:
        return None
    data = {"items": items(notes, [staff_link(n) for n in notes]),
            "all_url": f"{settings().public_base_url}/app/#/notifications"}
    return replace(email_render.email_for(business.email, "digest", business, data), reply_to=reply_address(notes))
