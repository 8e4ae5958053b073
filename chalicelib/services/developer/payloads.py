"""The `data` of each webhook event: ids, figures and states (what an integration acts on), built
in one place so every event of a type has one shape. Callers pass what they just saved."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from chalicelib.store.documents import Document
    from chalicelib.store.grants import Grant
    from chalicelib.store.messages import Message
    from chalicelib.store.subscriptions import Subscription


def document(d: Document) -> dict[str, Any]:
    return {"id": d.doc_id, "kind": d.kind, "number": d.number, "status": d.status, "client_id": d.client_id,
            "currency": d.currency, "total": int(d.total), "amount_paid": int(d.amount_paid),
            "amount_refunded": int(d.amount_refunded or 0), "issue_date": d.issue_date, "due_date": d.due_date,
            "project_id": d.project_id, "recurring_id": d.recurring_id}


def grant(g: Grant) -> dict[str, Any]:
    return {"id": g.grant_id, "resource_id": g.resource_id, "client_id": g.client_id, "invoice_id": g.doc_id,
            "state": g.state, "reason": g.reason, "policy": g.policy, "downloads": int(g.downloads or 0)}


def download(g: Grant, by: str, at: datetime) -> dict[str, Any]:
    """One allowed download (`by`: contact or link)."""
    fields = grant(g)
    del fields["downloads"]
    return {**fields, "by": by, "at": at.isoformat()}


def message(m: Message, client_id: str, project_id: str | None) -> dict[str, Any]:
    return {"id": m.message_id, "conversation_id": m.conversation_id, "client_id": client_id,
            "project_id": project_id, "side": m.side, "via": m.via, "author_name": m.author_name, "text": m.text,
            "attachments": len(m.attachments or []), "created_at": m.created_at}


def subscription(s: Subscription) -> dict[str, Any]:
    """The subscription as the portal and staff see it: plan, status, period, who bought it."""
    return {"id": s.subscription_id, "status": s.status, "plan": s.plan_name, "price_id": s.price_id,
            "quantity": int(s.quantity or 1), "amount": int(s.amount) if s.amount is not None else None,
            "currency": s.currency, "interval": s.interval, "current_period_start": s.current_period_start,
            "current_period_end": s.current_period_end, "cancel_at_period_end": bool(s.cancel_at_period_end),
            "canceled_at": s.canceled_at, "client_id": s.client_id, "contact_id": s.contact_id, "link_id": s.link_id,
            "product_ids": list(s.product_ids or [])}
