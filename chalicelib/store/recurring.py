"""Recurring templates and the periods they issued: one item collection per template.

`REC#{bid}#{rid}` holds `META` (the template: the invoice to repeat, its schedule and state) and
one `PERIOD#{index:05d}` per period the scheduler claimed. The period item is the claim: written
with a condition (`pk` does not exist), so of two runs at once only one issues that period; it
carries the issue's progress (claimed → issued → done) and a lease, so a run that died halfway
is finished by a later one, never started again.

Lists: a business's templates on gsi1 (`BIZ#{bid}#RECURRING`), a client's on gsi2
(`BIZ#{bid}#CLIENT#{cid}#RECURRING`, the portal's tab), and the scheduler's agenda on gsi3
(`RECURRING` / `{when the next period is due, UTC}#{bid}#{rid}`, active templates only).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict
from chalicelib.store.businesses import write_numbered
from chalicelib.store.documents import BillTo, Document, LineMap, doc_pk
from chalicelib.store.table import BaseItem, conditional, index_page

AGENDA_PK = "RECURRING"
CLAIMED, ISSUED, DONE = "claimed", "issued", "done"


class TemplateFile(MapAttribute[str, object]):
    """A resource the template attaches to every invoice it issues, under the same policy."""

    resource_id = UnicodeAttribute()
    policy = UnicodeAttribute()
    download_limit = NumberAttribute(null=True)
    access_days = NumberAttribute(null=True)
    refund_rule = UnicodeAttribute(default="revoke_on_full_refund")


class Template(BaseItem, discriminator="recurring"):
    template_id = UnicodeAttribute()
    business_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    source_invoice_id = UnicodeAttribute()
    bill_to = BillTo()
    currency = UnicodeAttribute()
    lines = ListAttribute(of=LineMap, default=list)
    subtotal = NumberAttribute(default=0)
    discount_total = NumberAttribute(default=0)
    tax_total = NumberAttribute(default=0)
    total = NumberAttribute(default=0)
    notes = UnicodeAttribute(null=True)
    terms = UnicodeAttribute(null=True)
    po_number = UnicodeAttribute(null=True)
    allow_partial = BooleanAttribute(default=False)
    minimum_partial = NumberAttribute(default=0)
    files = ListAttribute(of=TemplateFile, default=list)
    # The schedule (domain/recurrence.py) and what each period's invoice does.
    frequency = UnicodeAttribute()
    start_date = UnicodeAttribute()
    end = UnicodeAttribute(default="never")
    end_after = NumberAttribute(null=True)
    end_date = UnicodeAttribute(null=True)
    auto_send = BooleanAttribute(default=True)
    auto_charge = BooleanAttribute(default=False)
    catch_up = UnicodeAttribute(default="catch_up")
    status = UnicodeAttribute(default="active")
    next_index = NumberAttribute(default=0)  # the first period not yet issued (or skipped)
    passed_over = NumberAttribute(default=0)  # periods that fell while paused (domain/recurrence.py)
    issued_count = NumberAttribute(default=0)
    due_at = UnicodeAttribute(null=True)  # UTC moment the next period is due (agenda)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()

    def serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        # Every write keeps the agenda in step: only an active template with a next period is on it.
        active = self.status == "active" and self.due_at
        self.gsi3pk = AGENDA_PK if active else None
        self.gsi3sk = f"{self.due_at}#{self.business_id}#{self.template_id}" if active else None
        return super().serialize(null_check=null_check)


class Period(BaseItem, discriminator="recurring_period"):
    template_id = UnicodeAttribute()
    index = NumberAttribute()
    issue_date = UnicodeAttribute()
    state = UnicodeAttribute()  # claimed | issued | done
    lease_until = UnicodeAttribute()  # a run working on it holds it until then
    doc_id = UnicodeAttribute(null=True)
    number = UnicodeAttribute(null=True)
    emailed_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


def template_pk(business_id: str, template_id: str) -> str:
    return f"REC#{business_id}#{template_id}"


def period_sk(index: int) -> str:
    return f"PERIOD#{index:05d}"


def list_pk(business_id: str) -> str:
    return f"BIZ#{business_id}#RECURRING"


def client_pk(business_id: str, client_id: str) -> str:
    return f"BIZ#{business_id}#CLIENT#{client_id}#RECURRING"


def new_template(business_id: str, template_id: str, client_id: str, created_at: str, **fields: Any) -> Template:
    return Template(
        template_pk(business_id, template_id), "META",
        gsi1pk=list_pk(business_id), gsi1sk=f"{created_at}#{template_id}",
        gsi2pk=client_pk(business_id, client_id), gsi2sk=f"{created_at}#{template_id}",
        template_id=template_id, business_id=business_id, client_id=client_id, created_at=created_at,
        updated_at=created_at, **fields,
    )


def get_template(business_id: str, template_id: str) -> Template | None:
    try:
        return Template.get(template_pk(business_id, template_id), "META", consistent_read=True)
    except Template.DoesNotExist:
        return None


def load_template(business_id: str, template_id: str) -> tuple[Template | None, list[Period]]:
    """The template and its periods, oldest first, in one Query."""
    items = list(BaseItem.query(template_pk(business_id, template_id), consistent_read=True))
    template = next((i for i in items if isinstance(i, Template)), None)
    return template, [i for i in items if isinstance(i, Period)]


def list_templates(business_id: str, limit: int, cursor: str | None) -> tuple[list[Template], str | None]:
    return index_page(Template, "gsi1", list_pk(business_id), limit, cursor, newest_first=True)


def client_templates(business_id: str, client_id: str, limit: int, cursor: str | None) -> tuple[list[Template], str | None]:
    return index_page(Template, "gsi2", client_pk(business_id, client_id), limit, cursor, newest_first=True)


def documents_of(business_id: str, doc_ids: list[str]) -> dict[str, Document]:
    """The invoices a template produced, by id (one BatchGet per 100)."""
    keys = [(doc_pk(business_id, doc_id), "META") for doc_id in doc_ids]
    found: dict[str, Document] = {}
    for start in range(0, len(keys), 100):
        found.update({d.doc_id: d for d in Document.batch_get(keys[start:start + 100], consistent_read=True)})
    return found


def due_templates(until: str) -> list[tuple[str, str]]:
    """(business id, template id) of every active template due by `until` (UTC ISO), earliest first."""
    found = Template.gsi3.query(AGENDA_PK, Template.gsi3sk <= f"{until}~")
    return [(str(i.pk).split("#")[1], str(i.pk).split("#")[2]) for i in found]


def get_period(business_id: str, template_id: str, index: int) -> Period | None:
    try:
        return Period.get(template_pk(business_id, template_id), period_sk(index), consistent_read=True)
    except Period.DoesNotExist:
        return None


def claim_period(template: Template, index: int, issue_date: str, now: str, lease_until: str) -> Period | None:
    """Claim period `index` (the conditional put that makes it issued once); None if claimed already."""
    period = Period(template.pk, period_sk(index), template_id=template.template_id, index=index,
                    issue_date=issue_date, state=CLAIMED, lease_until=lease_until, created_at=now, updated_at=now)
    try:
        conditional(lambda: period.save(condition=Period.pk.does_not_exist()), "Claimed already.")
    except Conflict:
        return None
    return period


def take_lease(period: Period, now: str, lease_until: str) -> bool:
    """Take over an unfinished period whose last run's lease ran out (that run died or gave up)."""
    try:
        conditional(lambda: period.update(
            actions=[Period.lease_until.set(lease_until), Period.updated_at.set(now)],
            condition=(Period.state != DONE) & (Period.lease_until < now)), "Leased.")
    except Conflict:
        return False
    return True


def set_period(period: Period, now: str, **changes: Any) -> None:
    actions = [getattr(Period, name).set(value) for name, value in changes.items()]
    period.update(actions=[*actions, Period.updated_at.set(now)])


def issue_numbered(period: Period, business_id: str, sequence: str, make: Callable[[int], Document],
                   now: str) -> Document | None:
    """Write the period's invoice with the business's next number, and mark the period issued, in
    one transaction conditional on the counter as read: the number is taken if and only if the
    invoice is written (no gap, never twice), however the run ends. None: someone else issued it."""

    def write(tx: TransactWrite, document: Document) -> None:
        tx.save(document, condition=Document.pk.does_not_exist())
        tx.update(period, actions=[Period.state.set(ISSUED), Period.doc_id.set(document.doc_id),
                                   Period.number.set(document.number), Period.updated_at.set(now)],
                  condition=Period.state == CLAIMED)

    def issued_elsewhere() -> bool | None:
        fresh = get_period(business_id, str(period.template_id), int(period.index))
        return True if fresh is None or fresh.state != CLAIMED else None  # still ours: another invoice took the number

    document = write_numbered(business_id, sequence, make, write, issued_elsewhere,
                              "Invoice numbers kept moving; the next run tries again.")
    if not isinstance(document, Document):
        return None
    period.state, period.doc_id, period.number = ISSUED, document.doc_id, document.number
    return document
