"""Credit notes: staff issue credit to a client, and apply it to that client's invoices.

Issuing adds to the client's balance in that currency; applying moves an amount from the
balance to the invoice's ledger (a `credit` entry, counted like a payment), in one
transaction conditional on the balance covering it and the invoice's balance too. Then the
invoice is reconciled from its ledger (status, grants), like any payment.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib import clock
from chalicelib.domain import invoices as rules
from chalicelib.domain import payments as pay_rules
from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.inputs import CreditApply, CreditInput
from chalicelib.domain.money import format_amount
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import new_id
from chalicelib.services.accounts.businesses import business_of
from chalicelib.services.accounts.clients import get_client
from chalicelib.services.billing.documents import get_document
from chalicelib.services.billing.ledger import reconcile
from chalicelib.services.payments.checkout import expire_open_sessions
from chalicelib.store import credits as store
from chalicelib.store import documents as docs
from chalicelib.store.businesses import next_number
from chalicelib.store.table import iso, transaction


def credits_of(principal: Principal, client_id: str) -> tuple[list[store.CreditNote], list[store.CreditApplication],
                                                             dict[str, int]]:
    get_client(principal, client_id)
    items = store.credit_collection(principal.business_id, client_id)
    return ([i for i in items if isinstance(i, store.CreditNote)],
            [i for i in items if isinstance(i, store.CreditApplication)], store.balances_of(items))


def issue_credit(principal: Principal, client_id: str, data: CreditInput, today: date) -> store.CreditNote:
    get_client(principal, client_id)
    currency = data.currency or business_of(principal).currency
    now = iso(clock.now())
    note = store.new_credit_note(
        principal.business_id, client_id, new_id(), now, number=f"CN-{next_number(principal.business_id, 'credit'):04d}",
        amount=data.amount, currency=currency, reason=data.reason, issued_on=today.isoformat(),
    )
    with transaction() as tx:
        tx.save(note, condition=store.CreditNote.pk.does_not_exist())
        add_to_balance(tx, principal.business_id, client_id, currency, data.amount)
    return note


def add_to_balance(tx: Any, business_id: str, client_id: str, currency: str, amount: int) -> None:
    """In the caller's transaction: `amount` more credit available to the client in `currency`."""
    pk, sk = store.balance_key(business_id, client_id, currency)
    # The balance rides first in the client's portal list (gsi2), so the portal reads it for free.
    tx.update(store.CreditBalance(pk, sk), actions=[
        store.CreditBalance.available.add(amount), store.CreditBalance.client_id.set(client_id),
        store.CreditBalance.currency.set(currency), store.CreditBalance.item_type.set(store.CreditBalance),
        store.CreditBalance.gsi2pk.set(docs.client_docs_pk(business_id, client_id, rules.INVOICE)),
        store.CreditBalance.gsi2sk.set(f"!BALANCE#{currency}"),
    ])


def apply_credit(principal: Principal, client_id: str, data: CreditApply, today: date) -> docs.Document:
    """Apply credit to one of the client's open invoices (the whole balance due unless an amount is given)."""
    get_client(principal, client_id)
    invoice = get_document(principal, rules.INVOICE, data.invoice_id)
    if invoice.client_id != client_id:
        raise ValidationError("That invoice belongs to another client.", field="invoice_id")
    return apply_to_invoice(invoice, data.amount, today, principal.email or principal.user_id)


def apply_to_invoice(invoice: docs.Document, requested: int | None, today: date, recorded_by: str) -> docs.Document:
    """Apply the client's credit to `invoice` (as much as covers its balance unless `requested`):
    staff from the dashboard, or the client when paying in the portal."""
    business_id, client_id = invoice.business_id, invoice.client_id
    if invoice.status not in rules.OPEN_STATUSES:
        raise Conflict("Credit applies to sent or part-paid invoices only.")
    items = store.credit_collection(business_id, client_id)
    available = store.balances_of(items).get(invoice.currency, 0)
    amount = requested if requested is not None else min(available, invoice.balance)
    if amount <= 0 or amount > available:
        raise Conflict(f"The client has {format_amount(available, invoice.currency)} of credit available; "
                       "that does not cover it.")
    if amount > invoice.balance:
        raise ValidationError("That is more than the invoice's balance.", field="amount")
    now = iso(clock.now())
    application = store.new_application(
        business_id, client_id, new_id(), now, doc_id=invoice.doc_id, doc_number=invoice.number,
        amount=amount, currency=invoice.currency, applied_on=today.isoformat(),
    )
    entry = docs.new_credit_entry(
        invoice, application.application_id, now, kind=pay_rules.CREDIT, amount=amount,
        currency=invoice.currency, method="credit", received_on=today.isoformat(), recorded_by=recorded_by,
    )
    pk, sk = store.balance_key(business_id, client_id, invoice.currency)
    # One transaction: the credit cannot be spent twice, nor push the invoice past its total (the
    # invoice's version moves with it, so a second application read from the same version fails).
    with transaction() as tx:
        tx.update(store.CreditBalance(pk, sk), actions=[store.CreditBalance.available.add(-amount)],
                  condition=store.CreditBalance.available >= amount)
        tx.save(application, condition=store.CreditApplication.pk.does_not_exist())
        tx.save(entry, condition=docs.Payment.pk.does_not_exist())
        tx.update(invoice, actions=[docs.Document.updated_at.set(now)])  # VersionAttribute: conditional, moved on
    result = reconcile(business_id, invoice.doc_id)
    # A Checkout opened for the balance before the credit would now take too much: close it (the
    # next Pay opens one for what is left).
    expire_open_sessions(business_id, invoice.doc_id)
    return result.document if result else invoice
