"""Each paid period of a subscription becomes a PAID Paydrop invoice, once per Stripe invoice.

`invoice.paid` writes, in one transaction conditional on the business's invoice counter as read:
the invoice (id from Stripe's invoice id: written once), the next number, its payment in the
ledger (keyed by the PaymentIntent, as Checkout payments are, so a later refund finds it) and the
period item in the subscription's collection (`INVOICE#{stripe id}`). A repeat finds the period
and only reconciles again; a number is never lost nor taken twice. `ledger.reconcile` then marks
the invoice paid from its ledger, like every other payment.

The buyer may not be known yet (the paid invoice overtook the Checkout Session): the invoice
names the customer's address, which finds or makes the same contact the session will.
"""
from __future__ import annotations

import contextlib
import hashlib
from typing import Any

from pynamodb.transactions import TransactWrite

from chalicelib import clock
from chalicelib.domain import formatting
from chalicelib.domain import invoices as invoice_rules
from chalicelib.domain import payments as pay_rules
from chalicelib.domain.errors import Conflict
from chalicelib.services.billing.ledger import reconcile
from chalicelib.services.subscriptions import mirror as mirrors
from chalicelib.services.subscriptions import objects
from chalicelib.store import documents as docs
from chalicelib.store import subscriptions as store
from chalicelib.store import webhook_events
from chalicelib.store.businesses import get_business, write_numbered
from chalicelib.store.clients import get_client
from chalicelib.store.table import iso


def doc_id_for(stripe_invoice_id: str) -> str:
    return hashlib.sha256(f"subscription-invoice:{stripe_invoice_id}".encode()).hexdigest()[:20]


def invoice_paid(event: dict[str, Any]) -> str:
    paid = objects.invoice_of(event["data"]["object"])
    if not paid.subscription_id:
        return "ignored_not_a_subscription"  # Paydrop's own invoices are paid through Checkout
    business_id = mirrors.business_of(paid.subscription_id, paid.business_id)
    if business_id is None:
        return "ignored_foreign_subscription"
    mirror = store.get_subscription(paid.subscription_id)
    if mirror is None or not mirror.client_id:
        if not paid.email:
            raise mirrors_retry(paid.subscription_id)
        mirror = mirrors.name_buyer(paid.subscription_id, business_id, paid.email, paid.name or paid.email,
                                    paid.customer_id)
    if paid.amount <= 0:
        return "subscription_nothing_paid"  # a trial's first invoice: no money, no invoice to record
    if store.get_period(paid.subscription_id, paid.invoice_id) is None:
        # Recorded meanwhile by another delivery (Conflict): reconciling below is all that is left.
        with contextlib.suppress(Conflict):
            _record(mirror, paid)
    period = store.get_period(paid.subscription_id, paid.invoice_id)
    if period is None:
        raise Conflict("Invoice numbers kept moving; the event is retried.")
    reconcile(business_id, period.doc_id)
    return "subscription_period_recorded"


def mirrors_retry(subscription_id: str) -> Exception:
    from chalicelib.services.payments.stripe_events import RetryLater

    return RetryLater(f"no buyer yet for subscription {subscription_id}")


def _record(mirror: store.Subscription, paid: objects.PaidInvoice) -> None:
    business_id, doc_id = mirror.business_id, doc_id_for(paid.invoice_id)

    def write(tx: TransactWrite, document: docs.Document) -> None:
        key = paid.payment_intent or paid.invoice_id
        at = iso(clock.now())
        entry = docs.new_stripe_entry(document, key, at, kind=pay_rules.PAYMENT, amount=paid.amount,
                                      currency=paid.currency, method="stripe", received_on=clock.today().isoformat(),
                                      stripe_payment_intent=paid.payment_intent)
        period = store.new_period(mirror.subscription_id, paid.invoice_id, doc_id=doc_id, number=document.number,
                                  amount=paid.amount, currency=paid.currency, period_start=paid.period_start,
                                  period_end=paid.period_end, paid_at=paid.paid_at or at)
        tx.save(document, condition=docs.Document.pk.does_not_exist())
        tx.save(entry, condition=docs.Payment.pk.does_not_exist())
        tx.save(period, condition=store.SubscriptionInvoice.pk.does_not_exist())

    written = write_numbered(business_id, invoice_rules.INVOICE, lambda number: _invoice(mirror, paid, doc_id, number),
                             write, lambda: store.get_period(mirror.subscription_id, paid.invoice_id),
                             "Invoice numbers kept moving; the event is retried.")
    if isinstance(written, docs.Document) and paid.payment_intent:  # this delivery wrote it
        webhook_events.remember_home(paid.payment_intent, business_id, doc_id)


def _per_unit(amount: int, quantity: int) -> tuple[int, int]:
    """The line's quantity and unit price: the subscription's quantity when the period's amount
    splits evenly into it; one line of the whole amount when Stripe prorated it (a plan change)."""
    return (quantity, amount // quantity) if quantity > 1 and amount % quantity == 0 else (1, amount)


def _invoice(mirror: store.Subscription, paid: objects.PaidInvoice, doc_id: str, number: int) -> docs.Document:
    client = get_client(mirror.business_id, str(mirror.client_id))
    at, today = iso(clock.now()), clock.today().isoformat()
    # The line is written once, as its reader writes dates: the client's locale, else the business's.
    locale = formatting.locale_of(get_business(mirror.business_id), client)
    period = f" ({formatting.period(paid.period_start, paid.period_end, locale)})" if paid.period_start else ""
    count, unit = _per_unit(paid.amount, int(mirror.quantity or 1))
    line = docs.LineMap(description=f"{mirror.plan_name or paid.description}{period}", quantity=str(count),
                        unit_price=unit, net=paid.amount, tax=0)
    bill_to = docs.BillTo(name=client.name if client else (paid.name or paid.email or "Subscriber"),
                          email=paid.email or (client.email if client else None))
    return docs.new_document(
        mirror.business_id, doc_id, invoice_rules.INVOICE, at,
        number=invoice_rules.document_number(invoice_rules.INVOICE, number), status=invoice_rules.SENT,
        client_id=str(mirror.client_id), bill_to=bill_to, currency=paid.currency, issue_date=today, due_date=today,
        lines=[line], subtotal=paid.amount, total=paid.amount, notes=f"Subscription {mirror.subscription_id}",
        sent_at=at, updated_at=at,
    )
