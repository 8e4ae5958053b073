"""Entitlements — unlock after payment: make grants and keep them in step with the invoice
they hang on.

`invoice_payment_changed` is the one entry point every payment path reaches (through
`ledger.reconcile`: manual payments, Stripe payments, refunds and disputes, credits) and
cancellation calls, when an invoice's payment may have changed. It moves only the grants the
payment rule controls (`access.controlled_by_payment`): a grant staff released, locked or
revoked stays as staff left it. `offer_products` gives an invoice the grants its products'
resources promise when it is sent (a sent invoice's lines no longer change).
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from chalicelib import clock, metrics
from chalicelib.domain import access, previews
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.tokens import new_id, new_token
from chalicelib.services.delivery.file_labels import expires_of
from chalicelib.services.delivery.file_notices import file_available
from chalicelib.services.developer import events, payloads
from chalicelib.store import documents as docs
from chalicelib.store import tokens
from chalicelib.store.attachments import Attachment, attachments_of_target
from chalicelib.store.grants import Change, Grant, grants_of_resource, new_grant, token_target
from chalicelib.store.resources import READY, Resource, business_id_of, get_resource
from chalicelib.store.table import conditional, iso, transaction


def snapshot(resource: Resource) -> dict[str, object]:
    """What a grant shows on a page without reading the resource again (its thumbnail too)."""
    return {"title": resource.title, "kind": resource.kind, "filename": resource.filename,
            "size": resource.size, "s3_key": resource.s3_key, "url": resource.url,
            "preview_key": resource.preview_small_key if resource.preview_state == previews.READY else None,
            "preview_before_payment": access.preview_allowed_before_payment(resource.preview_before_payment,
                                                                            bool(resource.product_image))}


def refresh_grants(resource: Resource) -> int:
    """Put the resource's current snapshot on every grant of it (after a new version, its
    previews, or an edit). Downloads always read the live resource; this keeps pages in step."""
    fields = snapshot(resource)
    changed = 0
    for grant in grants_of_resource(business_id_of(resource), resource.resource_id):
        actions = [getattr(Grant, name).set(value) if value is not None else getattr(Grant, name).remove()
                   for name, value in fields.items() if name != "kind"]
        grant.update(actions=actions, add_version_condition=False)
        changed += 1
    return changed


def payment_facts(document: docs.Document | None) -> access.PaymentFacts | None:
    """What the payment rule reads of an invoice, from the figures `ledger.reconcile` stored."""
    if document is None or document.kind != rules.INVOICE:
        return None
    return access.PaymentFacts(document.status == rules.PAID, int(document.amount_paid),
                               int(document.amount_refunded or 0), int(document.amount_charged_back or 0))


def new_grant_for(attachment: Attachment, resource: Resource, client_id: str, document: docs.Document | None,
                  now: datetime, grant_id: str | None = None) -> Grant:
    """A client's grant through `attachment`, in the policy's first state."""
    rule = str(attachment.refund_rule)
    state = access.initial_state(attachment.policy, payment_facts(document), rule) or access.LOCKED
    controller = access.initial_controller(attachment.policy)
    grant = new_grant(
        attachment.business_id, document.doc_id if document else None, grant_id or new_id(), client_id, iso(now),
        resource_id=resource.resource_id, attachment_id=attachment.attachment_id,
        target_type=attachment.target_type, target_id=attachment.target_id,
        policy=attachment.policy, state=state, reason=access.ATTACHED, decided_by=controller,
        history=[Change(at=iso(now), state=state, reason=access.ATTACHED, by=controller)],
        download_limit=attachment.download_limit, access_days=attachment.access_days,
        refund_rule=rule, file_token=new_token(), **snapshot(resource),
    )
    if state == access.AVAILABLE:
        start_access_clock(grant, now)
    return grant


def file_token_item(grant: Grant) -> tokens.Token:
    return tokens.new_token_item(grant.file_token, tokens.FILE_ACCESS, grant.business_id, token_target(grant),
                                 grant.created_at)


def product_grant_id(attachment_id: str, doc_id: str) -> str:
    """The same id every time, so offering a product's resource on an invoice twice is a no-op."""
    return hashlib.sha256(f"{attachment_id}:{doc_id}".encode()).hexdigest()[:20]


def offer_on_invoice(attachment: Attachment, resource: Resource, document: docs.Document, now: datetime) -> Grant | None:
    """Give the invoice's client a grant through a product's attachment; None if it already has one."""
    grant = new_grant_for(attachment, resource, document.client_id, document, now,
                          grant_id=product_grant_id(attachment.attachment_id, document.doc_id))
    try:
        with transaction() as tx:
            tx.save(grant, condition=Grant.pk.does_not_exist())
            tx.save(file_token_item(grant), condition=tokens.Token.pk.does_not_exist())
    except Conflict:
        return None  # offered before (a resend, an edit, or two at once): one grant is enough
    file_available(grant)
    return grant


def sells(document: docs.Document, product_id: str) -> bool:
    return any(line.product_id == product_id for line in document.lines)


def offer_products(business_id: str, document: docs.Document) -> int:
    """Grants for every resource attached to a product on the invoice's lines (sent invoices only)."""
    if document.kind != rules.INVOICE or document.status in (rules.DRAFT, rules.CANCELLED):
        return 0
    now, offered = clock.now(), 0
    for product_id in sorted({line.product_id for line in document.lines if line.product_id}):
        for attachment in attachments_of_target(business_id, "product", product_id):
            resource = get_resource(business_id, attachment.resource_id)
            if attachment.policy == access.INTERNAL or resource is None or resource.status != READY:
                continue
            offered += offer_on_invoice(attachment, resource, document, now) is not None
    return offered


def move(grant: Grant, state: str, reason: str, now: datetime, by: str, decided_by: str | None = None) -> None:
    """Set a grant's state, remember why and who decided (`by` for the history, `decided_by` the
    controller from now on: `access.BY_*`); access expiry starts when it becomes available."""
    controller = decided_by or grant.decided_by
    if grant.state == state and grant.reason == reason and grant.decided_by == controller:
        return
    grant.state, grant.reason, grant.decided_by = state, reason, controller
    grant.history = [*(grant.history or []), Change(at=iso(now), state=state, reason=reason, by=by)]
    if state == access.AVAILABLE:
        if grant.access_expires_at and now >= expires_of(grant):  # type: ignore[operator]
            grant.access_expires_at = None  # released again after its period ended: a new period
        start_access_clock(grant, now)
    grant.updated_at = iso(now)


def count_move(before: str, grant: Grant) -> None:
    """Count a saved change of state: released (now available) or revoked. Called after the save,
    so a write that lost a race counts nothing."""
    if grant.state == before:
        return
    if grant.state == access.AVAILABLE:
        metrics.count(metrics.GRANTS_RELEASED)
        events.emit(grant.business_id, "grant.released", payloads.grant(grant))
        file_available(grant)
    elif grant.state == access.REVOKED:
        metrics.count(metrics.GRANTS_REVOKED)
        events.emit(grant.business_id, "grant.revoked", payloads.grant(grant))


def start_access_clock(grant: Grant, now: datetime) -> None:
    """Access that lasts N days counts from the first moment the grant is available."""
    if grant.access_days and not grant.access_expires_at:
        expires = access.access_expires_at(now, int(grant.access_days))
        grant.access_expires_at = iso(expires) if expires else None


def grants_of(items: Sequence[object]) -> list[Grant]:
    return [i for i in items if isinstance(i, Grant)]


def invoice_payment_changed(business_id: str, doc_id: str, attempts: int = 3) -> int:
    """Move the invoice's payment-controlled grants to what its payment says now.

    It re-reads the invoice, so calling it twice, late, or out of order gives the same
    result; a grant changed concurrently (a download, staff) is re-read and retried.
    Returns how many grants changed.
    """
    for attempt in range(attempts):
        try:
            return _sync(business_id, doc_id)
        except Conflict:
            if attempt == attempts - 1:
                raise
    return 0


def _sync(business_id: str, doc_id: str) -> int:
    document, items = docs.load_collection(business_id, doc_id)
    if document is None:
        return 0
    payment = payment_facts(document)
    if payment is None:
        return 0
    now = clock.now()
    changed = 0
    for grant in grants_of(items):
        before = grant.state
        if follow_payment(grant, payment, now):
            conditional(grant.save, "A grant changed at the same time.")
            count_move(before, grant)
            changed += 1
    return changed


def follow_payment(grant: Grant, payment: access.PaymentFacts, now: datetime) -> bool:
    """Move a grant the payment rule controls to the state the payment gives; False if it stays.
    Grants staff decided, claimed or detached are never moved here."""
    if not access.controlled_by_payment(grant.policy, grant.decided_by, grant.reason):
        return False
    state = access.state_by_payment(str(grant.refund_rule), grant.state, payment)
    if state == grant.state:
        return False
    move(grant, state, access.payment_reason(state, payment), now, by=access.BY_PAYMENT)
    return True
