"""The invoices a project bills through: linking one to a milestone (the invoice is marked with
the project: `Document.project_id`, and listed on the project), and what completing the milestone
does with it — sent to the client, or left a draft for staff to send (the business's
`milestone_invoice_action`)."""
from __future__ import annotations

from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.domain import invoices as invoice_rules
from chalicelib.domain import projects as rules
from chalicelib.domain.errors import Conflict, NotFound, ValidationError
from chalicelib.domain.permissions import MANAGE_INVOICES
from chalicelib.domain.principal import Principal
from chalicelib.services.billing import documents
from chalicelib.services.notifications.activity import STAFF, Activity, record
from chalicelib.store import documents as docs
from chalicelib.store.businesses import Business
from chalicelib.store.projects import Milestone, Project


def invoice_for(principal: Principal, project: Project, doc_id: str) -> docs.Document:
    """An invoice a milestone of `project` may bill through: this business's, the project's client's,
    not cancelled, not billed through another project. Raises NotFound / ValidationError / Conflict."""
    principal.require(MANAGE_INVOICES)
    document = docs.get_document(principal.business_id, doc_id)
    if document is None or document.kind != invoice_rules.INVOICE:
        raise NotFound("Invoice not found.", field="invoice_id")
    if document.client_id != project.client_id:
        raise ValidationError("That invoice is for another client than the project's.", field="invoice_id")
    if document.status == invoice_rules.CANCELLED:
        raise ValidationError("That invoice is cancelled.", field="invoice_id")
    if document.project_id and document.project_id != project.project_id:
        raise Conflict("That invoice is billed through another project.", field="invoice_id")
    return document


def link(tx: TransactWrite, project: Project, document: docs.Document) -> list[Action]:
    """Mark the invoice as billed through the project (in `tx`); returns the project's update actions,
    for the caller's one update of the project (a transaction touches an item once)."""
    d = docs.Document
    # Not billed through another project meanwhile (`invoice_for` read it free): of two projects
    # claiming one invoice at once, one wins and the other is told.
    tx.update(document, actions=[d.project_id.set(project.project_id)],
              condition=d.pk.exists() & (d.status != invoice_rules.CANCELLED)
              & (d.project_id.does_not_exist() | (d.project_id == project.project_id)),
              add_version_condition=False)
    return [Project.invoice_ids.add({document.doc_id})]


def relink(tx: TransactWrite, project: Project, document: docs.Document | None, old_id: str | None,
           others: list[Milestone]) -> list[Action]:
    """A milestone moving from invoice `old_id` to `document` (either may be None): the project's
    update actions. One expression cannot both add to and delete from a set, so a move sets the
    project's list outright (the caller's update is conditional on the version read)."""
    added = link(tx, project, document) if document else []
    removed = unlink(tx, project, old_id, others) if old_id else []
    if not (added and removed) or document is None or old_id is None:
        return added + removed
    ids = (set(project.invoice_ids or ()) | {document.doc_id}) - {old_id}
    return [Project.invoice_ids.set(ids) if ids else Project.invoice_ids.remove()]


def unlink(tx: TransactWrite, project: Project, doc_id: str, others: list[Milestone]) -> list[Action]:
    """Take a draft invoice off the project when no other milestone (of `others`) bills through it;
    an invoice already issued stays the project's (the client was billed through it)."""
    if any(m.invoice_id == doc_id for m in others):
        return []
    document = docs.get_document(project.business_id, doc_id)
    if document is None or document.status != invoice_rules.DRAFT or document.project_id != project.project_id:
        return []
    tx.update(document, actions=[docs.Document.project_id.remove()],
              condition=docs.Document.project_id == project.project_id, add_version_condition=False)
    return [Project.invoice_ids.delete({doc_id})]


def check_issuable(principal: Principal, business: Business, milestone: Milestone) -> docs.Document | None:
    """Before completing: the milestone's invoice, refused now (nothing written) if it cannot be issued."""
    if not milestone.invoice_id:
        return None
    principal.require(MANAGE_INVOICES)
    document = docs.get_document(principal.business_id, milestone.invoice_id)
    if document is None:
        raise NotFound("The milestone's invoice no longer exists; pick another or none.", field="invoice_id")
    if action_of(business) == rules.INVOICE_SEND and document.status == invoice_rules.DRAFT:
        invoice_rules.check_can_send(document.status, len(document.lines))
    return document


def action_of(business: Business) -> str:
    action = business.milestone_invoice_action
    return action if action in rules.MILESTONE_INVOICE_ACTIONS else rules.INVOICE_SEND


def issue(principal: Principal, business: Business, project: Project, milestone: Milestone,
          document: docs.Document) -> docs.Document:
    """The completed milestone's invoice: sent (the client hears of it), or left a draft (the team does).
    Called once per completion: only the request that moved the milestone to done gets here."""
    if document.status != invoice_rules.DRAFT:
        return document  # staff sent it already: nothing to issue
    pid = project.project_id
    if action_of(business) == rules.INVOICE_SEND:
        return documents.mark_sent(principal, invoice_rules.INVOICE, document.doc_id,  # it tells the client
                                   about=f"“{milestone.title}” ({project.name})")
    record(Activity(business.business_id, project.client_id, "invoices", STAFF,
                    f"Invoice {document.number} is ready to send",
                    text=f"Milestone “{milestone.title}” of {project.name} is done.",
                    staff_path=f"/app/#/invoices/{document.doc_id}", project_id=pid))
    return document
