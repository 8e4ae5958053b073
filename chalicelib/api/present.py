"""Staff JSON shapes of stored things (the staff API's contract)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from chalicelib.api.urls import absolute_url
from chalicelib.domain import invoices as rules
from chalicelib.domain.figures import rows as figure_rows
from chalicelib.domain.mail_feedback import COMPLAINT, REASON_WORDS

if TYPE_CHECKING:  # annotations only: views shape what services return, never reach the store
    from chalicelib.store.attachments import Attachment
    from chalicelib.store.businesses import Business
    from chalicelib.store.clients import Client, Contact
    from chalicelib.store.credits import CreditApplication, CreditNote
    from chalicelib.store.documents import Document, Payment
    from chalicelib.store.grants import Grant
    from chalicelib.store.products import Product
    from chalicelib.store.resources import Resource
    from chalicelib.store.suppressions import Suppression
    from chalicelib.store.table import BaseItem
    from chalicelib.store.views import ViewLogEntry, ViewStats


def attributes(item: BaseItem, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(item, name) for name in names}


def business(b: Business, logo_url: str | None) -> dict[str, Any]:
    return {
        **attributes(b, (
            "business_id", "name", "email", "phone", "address", "tax_number", "currency",
            "brand_color", "accent_color", "invoice_footer", "default_terms", "logo_key",
            "created_at", "updated_at",
        )),
        "payment_terms_days": int(b.payment_terms_days),
        "log_retention_days": int(b.log_retention_days),
        "stripe_enabled": bool(b.stripe_enabled),
        "portal_tabs_off": list(b.portal_tabs_off or []),
        "paper_size": b.paper_size or "A4",
        "reminder_days_before": int(b.reminder_days_before) if b.reminder_days_before is not None else None,
        "reminder_on_due": bool(b.reminder_on_due),
        "reminder_days_after": int(b.reminder_days_after) if b.reminder_days_after is not None else None,
        "quote_auto_convert": bool(b.quote_auto_convert),
        "quote_requires_terms": bool(b.quote_requires_terms),
        "allow_partial_default": bool(b.allow_partial_default),
        "minimum_partial_default": int(b.minimum_partial_default or 0),
        "logo_url": logo_url,
        "prepayment_enabled": bool(b.prepayment_enabled),
        "prepayment_minimum": int(b.prepayment_minimum or 0),
        "time_zone": b.time_zone or "UTC",
        "locale": b.locale or "en_GB",  # of its emails (services/notifications/email_render.py)
        "milestone_invoice_action": b.milestone_invoice_action or "send",
        "revoke_when_past_due": bool(b.revoke_when_past_due),
    }


def contact(c: Contact, suppressed: Mapping[str, Suppression] | None = None) -> dict[str, Any]:
    """A contact; with `suppressed` (the suppressions of its address), whether mail to it is dropped."""
    data = attributes(c, ("contact_id", "client_id", "name", "email", "phone", "is_primary", "created_at", "updated_at"))
    if suppressed is not None:
        data.update(suppression(suppressed.get(c.email.strip().lower())))
    return data


def suppression(s: Suppression | None) -> dict[str, Any]:
    """Why staff's emails to an address are not sent (it hard-bounced, or the person complained).
    The suppression is shared by every business with this address, so what only the business that
    caused it should see stays out: the mail server's diagnostic and how many emails were dropped."""
    if s is None:
        return {"email_suppressed": False}
    return {"email_suppressed": True, "suppressed_reason": s.reason,
            "suppressed_reason_text": REASON_WORDS.get(str(s.reason), str(s.reason)), "suppressed_since": s.since,
            "suppression_clearable": s.reason != COMPLAINT}


def client(c: Client, contacts: list[Contact] | None = None,
           suppressed: Mapping[str, Suppression] | None = None) -> dict[str, Any]:
    data = attributes(c, ("client_id", "name", "email", "phone", "address", "tax_number", "notes", "created_at", "updated_at"))
    data["locale"] = c.locale  # None: the business's
    if contacts is not None:
        data["contacts"] = [contact(k, suppressed) for k in contacts]
    return data


def product(p: Product) -> dict[str, Any]:
    return {
        **attributes(p, ("product_id", "name", "description", "created_at", "updated_at")),
        "unit_price": int(p.unit_price),
        "tax_rate_bp": int(p.tax_rate_bp),
    }


def payment(p: Payment) -> dict[str, Any]:
    return {
        **attributes(p, ("payment_id", "doc_id", "kind", "currency", "method", "reference", "recorded_by", "received_on",
                         "created_at", "stripe_payment_intent", "stripe_checkout_session", "dispute_status",
                         "client_id", "doc_number")),  # the dashboard's Payments list names both
        "amount": int(p.amount),
    }


def document(d: Document, today: date, share_url: str | None = None) -> dict[str, Any]:
    due = date.fromisoformat(d.due_date) if d.due_date else None
    f = d.figures()  # every amount below: domain/figures.py, as the page, PDF and emails print them
    return {
        "id": d.doc_id,
        **attributes(d, (
            "kind", "number", "status", "client_id", "currency", "issue_date", "due_date", "notes",
            "terms", "po_number", "created_at", "updated_at", "sent_at", "paid_at", "cancelled_at", "allow_partial",
            "decided_at", "decided_by_name", "decline_reason", "converted_invoice_id", "quote_id",
        )),
        "display_status": rules.display_status(d.status, due, today),
        "overdue": rules.display_status(d.status, due, today) == "overdue",
        "bill_to": d.bill_to.as_dict(),
        "lines": [
            {
                "product_id": line.product_id, "description": line.description,
                "quantity": line.quantity, "unit_price": int(line.unit_price),
                "tax_rate_bp": int(line.tax_rate_bp), "discount_bp": int(line.discount_bp),
                "amount": parts.amount, "discount": parts.discount, "net": parts.net, "tax": parts.tax,
            }
            for line, parts in zip(d.lines, f.lines, strict=True)
        ],
        "subtotal": f.subtotal, "discount_total": f.discount,
        "taxes": [{"rate_bp": t.rate_bp, "amount": t.amount} for t in f.taxes],
        "tax_total": f.tax, "total": f.total,
        "amount_paid": f.paid, "amount_refunded": int(d.amount_refunded or 0), "balance": f.balance,
        "minimum_partial": int(d.minimum_partial or 0),
        "rows": [{"key": r.key, "label": r.label, "amount": r.amount, "sign": r.sign}
                 for r in figure_rows(f, with_paid=d.kind == rules.INVOICE)],
        "share_url": share_url,
        "version": int(d.version or 0),
    }


def _number(value: Any) -> int | None:
    return int(value) if value is not None else None


def grant(g: Grant, request: Any) -> dict[str, Any]:
    return {
        **attributes(g, ("grant_id", "resource_id", "attachment_id", "client_id", "doc_id", "target_type", "target_id",
                         "policy", "state", "reason", "decided_by", "claimed_by", "title", "kind",
                         "access_expires_at", "refund_rule", "created_at", "updated_at")),
        "download_limit": _number(g.download_limit),
        "downloads": int(g.downloads or 0),
        "access_days": _number(g.access_days),
        "history": [c.as_dict() for c in g.history or []],
        "download_url": absolute_url(request, f"/files/{g.file_token}"),
    }


def attachment(a: Attachment, request: Any) -> dict[str, Any]:
    return {
        **attributes(a, ("attachment_id", "resource_id", "target_type", "target_id", "client_id", "policy",
                         "refund_rule", "created_at")),
        "download_limit": _number(a.download_limit),
        "access_days": _number(a.access_days),
        "claim_url": absolute_url(request, f"/claim/{a.claim_token}") if a.claim_token else None,
    }


def resource(r: Resource, thumbnail: Callable[[str | None], str | None] | None = None) -> dict[str, Any]:
    """The resource for staff; `thumbnail` presigns its previews (lists show those, never the file)."""
    ready = r.preview_state == "ready"
    return {
        "preview_status": r.preview_state, "preview_reason": r.preview_reason,
        "preview_url": thumbnail(r.preview_small_key) if thumbnail and ready else None,
        "preview_large_url": thumbnail(r.preview_large_key) if thumbnail and ready else None,
        "product_image": bool(r.product_image), "preview_before_payment": r.preview_before_payment,
        "resource_id": r.resource_id, "kind": r.kind, "title": r.title, "description": r.description,
        "tags": list(r.tags or []), "url": r.url, "status": r.status, "version": int(r.version or 0),
        "filename": r.filename, "size": int(r.size) if r.size is not None else None,
        "content_type": r.content_type, "declared_content_type": r.declared_content_type,
        "type_warning": r.type_warning, "sha256": r.sha256,
        "upload_in_progress": bool(r.pending_key), "created_at": r.created_at, "updated_at": r.updated_at,
    }


def credit_note(c: CreditNote) -> dict[str, Any]:
    return {**attributes(c, ("credit_id", "client_id", "number", "currency", "reason", "issued_on", "created_at")),
            "amount": int(c.amount)}


def credit_application(a: CreditApplication) -> dict[str, Any]:
    return {**attributes(a, ("application_id", "doc_id", "doc_number", "currency", "applied_on")), "amount": int(a.amount)}


def view_stats(s: ViewStats | None) -> dict[str, Any]:
    """The badge: how often the client opened it, first and last."""
    return {"view_count": int(s.view_count) if s else 0, "unique_viewers": int(s.unique_viewers) if s else 0,
            "first_viewed_at": s.first_viewed_at if s else None, "last_viewed_at": s.last_viewed_at if s else None,
            # How opens are counted, from the one constant the views worker counts with.
            "counted_once_per_minutes": _view_window_minutes()}


def _view_window_minutes() -> int:
    from chalicelib.services.portal.view_tracking import WINDOW_SECONDS

    return WINDOW_SECONDS // 60


def view(v: ViewLogEntry) -> dict[str, Any]:
    return attributes(v, ("at", "source", "ip", "user_agent", "counted"))


def page(items: list[dict[str, Any]], cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": cursor}
