"""Credit notes: money a business owes a client, to apply to that client's invoices.

`CREDITS#{bid}#{cid}` holds the client's credit notes (`CREDIT#{created}#{id}`), the
applications to invoices (`APPLY#{created}#{id}`) and one `BALANCE` item per currency
(`BALANCE#{currency}`) that every issue and application updates in the same transaction,
conditional on never going below zero: two applications at once cannot spend it twice.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.store.table import BaseItem


class CreditNote(BaseItem, discriminator="credit_note"):
    credit_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    number = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    issued_on = UnicodeAttribute()
    created_at = UnicodeAttribute()


class CreditApplication(BaseItem, discriminator="credit_application"):
    application_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    doc_id = UnicodeAttribute()
    doc_number = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    applied_on = UnicodeAttribute()
    created_at = UnicodeAttribute()


class CreditBalance(BaseItem, discriminator="credit_balance"):
    client_id = UnicodeAttribute()
    currency = UnicodeAttribute()
    available = NumberAttribute(default=0)


def credits_pk(business_id: str, client_id: str) -> str:
    return f"CREDITS#{business_id}#{client_id}"


def balance_key(business_id: str, client_id: str, currency: str) -> tuple[str, str]:
    return credits_pk(business_id, client_id), f"BALANCE#{currency}"


def new_credit_note(business_id: str, client_id: str, credit_id: str, created_at: str, **fields: Any) -> CreditNote:
    return CreditNote(credits_pk(business_id, client_id), f"CREDIT#{created_at}#{credit_id}", credit_id=credit_id,
                      client_id=client_id, created_at=created_at, **fields)


def new_application(business_id: str, client_id: str, application_id: str, created_at: str,
                    **fields: Any) -> CreditApplication:
    return CreditApplication(credits_pk(business_id, client_id), f"APPLY#{created_at}#{application_id}",
                             application_id=application_id, client_id=client_id, created_at=created_at, **fields)


def credit_collection(business_id: str, client_id: str) -> list[BaseItem]:
    """Every credit note, application and balance of the client (one Query)."""
    return list(BaseItem.query(credits_pk(business_id, client_id), consistent_read=True))


def balances_of(items: list[BaseItem]) -> dict[str, int]:
    return {b.currency: int(b.available) for b in items if isinstance(b, CreditBalance)}
