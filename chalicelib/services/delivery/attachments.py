"""Attachments: offer a resource through a client, product, invoice, quote or project.

Attaching writes the attachment and the grants it gives, together: one grant for the
target's client (none for `internal`), or, for a product, one on every sent invoice that
sells it (later invoices get theirs when they are sent). A claim link's grant waits,
locked and unowned, for whoever claims it. Detaching revokes what the attachment gave.
"""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib import clock
from chalicelib.domain import access
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict, NotFound, ValidationError
from chalicelib.domain.inputs import AttachInput, AttachmentInput
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import new_id, new_token
from chalicelib.services.accounts.clients import get_client
from chalicelib.services.accounts.products import get_product
from chalicelib.services.billing.documents import get_document
from chalicelib.services.delivery.file_notices import file_available
from chalicelib.services.delivery.grants import close_detached
from chalicelib.services.delivery.resources import get_resource
from chalicelib.services.delivery.unlock import file_token_item, new_grant_for, offer_on_invoice, sells
from chalicelib.services.projects.projects import get_project
from chalicelib.store import documents as docs
from chalicelib.store import tokens
from chalicelib.store.attachments import Attachment, attachments_of_resource, get_attachment, new_attachment
from chalicelib.store.grants import Grant, grants_of_resource, token_target
from chalicelib.store.resources import READY, Resource
from chalicelib.store.table import delete_item, iso, save_new, transaction


@dataclass(frozen=True)
class Target:
    type: str
    id: str
    client_id: str | None  # None for a product: it reaches the clients of its invoices
    document: docs.Document | None = None


def find_target(principal: Principal, target_type: str, target_id: str) -> Target:
    """The target in this business (404 otherwise) and the client it belongs to."""
    if target_type in (rules.INVOICE, rules.QUOTE):
        document = get_document(principal, target_type, target_id)
        return Target(target_type, target_id, document.client_id, document)
    if target_type == "client":
        return Target(target_type, get_client(principal, target_id).client_id, target_id)
    if target_type == "project":
        return Target(target_type, target_id, get_project(principal, target_id).client_id)
    get_product(principal, target_id)
    return Target(target_type, target_id, None)


def attach(principal: Principal, resource_id: str, data: AttachmentInput) -> tuple[Attachment, list[Grant]]:
    resource = get_resource(principal, resource_id)
    refund_rule = access.refund_rule_from(data.refund_rule, data.keep_after_refund)
    access.check_attachment(data.target_type, access.Attachment(
        data.policy, data.download_limit, data.access_days, refund_rule))
    if resource.status != READY:
        raise Conflict("Finish uploading the file before attaching it.", field="resource_id")
    target = find_target(principal, data.target_type, data.target_id)
    now = clock.now()
    attachment = new_attachment(
        principal.business_id, resource_id, new_id(), target.type, target.id, iso(now),
        client_id=target.client_id, policy=data.policy, download_limit=data.download_limit,
        access_days=data.access_days, refund_rule=refund_rule,
        claim_token=new_token() if data.policy == access.CLAIM_LINK else None,
    )
    if target.client_id is None:
        save_new(attachment)
        return attachment, _offer_on_sent_invoices(principal, attachment, resource)
    if data.policy == access.INTERNAL:
        save_new(attachment)
        return attachment, []
    document = target.document
    grant = new_grant_for(attachment, resource, target.client_id, document, now)
    with transaction() as tx:
        tx.save(attachment, condition=Attachment.pk.does_not_exist())
        tx.save(grant, condition=Grant.pk.does_not_exist())
        tx.save(file_token_item(grant), condition=tokens.Token.pk.does_not_exist())
        if attachment.claim_token:
            tx.save(tokens.new_token_item(attachment.claim_token, tokens.CLAIM, principal.business_id,
                                          token_target(grant), iso(now)), condition=tokens.Token.pk.does_not_exist())
    file_available(grant)  # open at once (visible): the client's Files list shows it now
    return attachment, [grant]


def _offer_on_sent_invoices(principal: Principal, attachment: Attachment, resource: Resource) -> list[Grant]:
    """A product's new resource reaches every sent invoice that sells it (staff action: pages through them)."""
    if attachment.policy == access.INTERNAL:
        return []
    offered: list[Grant] = []
    cursor: str | None = None
    now = clock.now()
    while True:
        page, cursor = docs.list_documents(principal.business_id, rules.INVOICE, 100, cursor)
        for document in page:
            if document.status not in (rules.DRAFT, rules.CANCELLED) and sells(document, attachment.target_id):
                grant = offer_on_invoice(attachment, resource, document, now)
                offered += [grant] if grant else []
        if cursor is None:
            return offered


def attachments_of(principal: Principal, resource_id: str) -> list[Attachment]:
    get_resource(principal, resource_id)
    return attachments_of_resource(principal.business_id, resource_id)


def detach(principal: Principal, resource_id: str, attachment_id: str) -> list[Grant]:
    """Take the resource off the target: its grants are revoked (kept for the record), its claim link dies."""
    attachment = get_attachment(principal.business_id, resource_id, attachment_id)
    if attachment is None:
        raise NotFound("Attachment not found.", field="attachment_id")
    if attachment.claim_token:
        claim = tokens.find_token(attachment.claim_token, tokens.CLAIM)
        if claim is not None:
            claim.delete()
    delete_item(attachment)
    grants = [g for g in grants_of_resource(principal.business_id, resource_id) if g.attachment_id == attachment_id]
    return close_detached(principal, grants)


# The invoice's own route offers what a client of that invoice can hold right away;
# internal notes and claim links go through the resource's attachments.
INVOICE_SHORTCUT_POLICIES = (access.VISIBLE, access.AFTER_PAYMENT, access.MANUAL)


def attach_to_invoice(principal: Principal, doc_id: str, data: AttachInput) -> Grant:
    if data.policy not in INVOICE_SHORTCUT_POLICIES:
        raise ValidationError(f"On invoices, policy must be one of {', '.join(INVOICE_SHORTCUT_POLICIES)}; "
                              "attach internal resources and claim links through the resource.", field="policy")
    get_document(principal, rules.INVOICE, doc_id)  # an unknown invoice is a 404 before anything else
    _, grants = attach(principal, data.resource_id, AttachmentInput(
        target_type=rules.INVOICE, target_id=doc_id, policy=data.policy, download_limit=data.download_limit,
        access_days=data.access_days, refund_rule=data.refund_rule, keep_after_refund=data.keep_after_refund))
    return grants[0]
