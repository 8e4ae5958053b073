"""Delivery: resources offered on invoices, the grants that hold each client's access, and
the one entry point every payment path calls when an invoice becomes (or stops being) paid."""
from __future__ import annotations

from chalicelib.domain import access
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict, NotFound, ValidationError
from chalicelib.domain.inputs import AttachInput
from chalicelib.domain.tokens import new_id, new_token
from chalicelib.services.auth import Principal
from chalicelib.services.documents import get_document
from chalicelib.services.entitlements import grants_of, move, start_access_clock
from chalicelib.services.resources import get_resource
from chalicelib.store import access_log, tokens
from chalicelib.store.access_log import AccessLog
from chalicelib.store.documents import load_collection
from chalicelib.store.grants import Change, Grant, new_grant
from chalicelib.store.resources import READY, Resource
from chalicelib.store.table import conditional, iso, transaction, utcnow

# Offered on invoices in this slice; `internal` and `claim_link` arrive with claim links.
INVOICE_POLICIES = (access.VISIBLE, access.AFTER_PAYMENT, access.MANUAL)


def _snapshot(resource: Resource) -> dict[str, object]:
    return {"title": resource.title, "kind": resource.kind, "filename": resource.filename,
            "size": resource.size, "s3_key": resource.s3_key, "url": resource.url}


def attach_to_invoice(principal: Principal, doc_id: str, data: AttachInput) -> Grant:
    """Offer a resource on an invoice: its client gets a grant in the policy's first state."""
    document = get_document(principal, rules.INVOICE, doc_id)
    resource = get_resource(principal, data.resource_id)
    if data.policy not in INVOICE_POLICIES:
        raise ValidationError(f"On invoices, policy must be one of {', '.join(INVOICE_POLICIES)}.", field="policy")
    access.check_attachment("invoice", access.Attachment(data.policy, data.download_limit, data.access_days,
                                                         data.keep_after_refund))
    if resource.status != READY:
        raise Conflict("Finish uploading the file before attaching it.", field="resource_id")
    now = utcnow()
    state = access.initial_state(data.policy, document.status == rules.PAID) or access.LOCKED
    token = new_token()
    grant = new_grant(
        principal.business_id, doc_id, new_id(), document.client_id, iso(now),
        resource_id=resource.resource_id, policy=data.policy, state=state, reason=access.ATTACHED,
        history=[Change(at=iso(now), state=state, reason=access.ATTACHED)],
        download_limit=data.download_limit, access_days=data.access_days,
        keep_after_refund=data.keep_after_refund, file_token=token, **_snapshot(resource),
    )
    if state == access.AVAILABLE:
        start_access_clock(grant, now)
    with transaction() as tx:
        tx.save(grant, condition=Grant.pk.does_not_exist())
        target = f"{doc_id}/{grant.grant_id}/{resource.resource_id}"
        tx.save(tokens.new_token_item(token, tokens.FILE_ACCESS, principal.business_id, target, iso(now)),
                condition=tokens.Token.pk.does_not_exist())
    return grant


def invoice_grants(principal: Principal, doc_id: str) -> list[Grant]:
    """Who can access what on this invoice (staff view, every state)."""
    get_document(principal, rules.INVOICE, doc_id)
    _, items = load_collection(principal.business_id, doc_id)
    return grants_of(items)


STAFF_REASONS = {"release": access.RELEASED_BY_STAFF, "lock": access.LOCKED_BY_STAFF, "revoke": access.REVOKED_BY_STAFF}


def staff_action(principal: Principal, doc_id: str, grant_id: str, action: str) -> Grant:
    """Release, lock or revoke one grant by hand; logged with the staff member as actor."""
    grant = next((g for g in invoice_grants(principal, doc_id) if g.grant_id == grant_id), None)
    if grant is None:
        raise NotFound("Grant not found.", field="grant_id")
    now = utcnow()
    move(grant, access.state_after_staff_action(grant.state, action), STAFF_REASONS[action], now)
    conditional(grant.save, "This grant changed at the same time; reload and retry.")
    access_log.new_entry(
        principal.business_id, new_id(), now, resource_id=grant.resource_id, grant_id=grant.grant_id,
        client_id=grant.client_id, doc_id=doc_id, actor=f"staff:{principal.email or principal.user_id}",
        action=action, result="ok",
    ).save()
    return grant


def access_log_of(principal: Principal, resource_id: str, limit: int, cursor: str | None) -> tuple[list[AccessLog], str | None]:
    get_resource(principal, resource_id)
    return access_log.entries_for_resource(principal.business_id, resource_id, limit, cursor)


LOG_COLUMNS = ("at", "action", "result", "actor", "client_id", "doc_id", "grant_id", "ip", "user_agent")


def access_log_csv(entries: list[AccessLog]) -> str:
    """The entries as CSV (RFC 4180), cells that a spreadsheet would run as formulas defused."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LOG_COLUMNS)
    for entry in entries:
        writer.writerow([_cell(getattr(entry, name)) for name in LOG_COLUMNS])
    return out.getvalue()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
