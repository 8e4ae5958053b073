"""Addresses mail must not go to any more: hard bounces and complaints SES reported.

One item per address and stage (`SUPPRESSED#{address}` / `SUPPRESSION`): an address that
hard-bounces bounces for every business, and a person who marked our mail as spam did so for
the sending domain, which every business shares.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterable

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.domain.errors import Conflict
from chalicelib.store.table import BaseItem, conditional, delete_item


class Suppression(BaseItem, discriminator="suppression"):
    email = UnicodeAttribute()  # lower-cased
    reason = UnicodeAttribute()  # bounce | complaint
    detail = UnicodeAttribute(null=True)  # e.g. "General: smtp; 550 5.1.1 user unknown" (no message content)
    since = UnicodeAttribute()  # when SES first reported it
    last_reported_at = UnicodeAttribute()
    ses_message_id = UnicodeAttribute(null=True)  # the message that bounced, to find it in SES's own records
    dropped = NumberAttribute(default=0)  # emails not sent to it since


def suppression_key(email: str) -> tuple[str, str]:
    return f"SUPPRESSED#{email.strip().lower()}", "SUPPRESSION"


def record(email: str, reason: str, detail: str | None, reported_at: str, ses_message_id: str | None) -> None:
    """Suppress `email` (idempotent: a redelivered report changes nothing but the last report's
    details; `since` and the dropped count are kept)."""
    pk, sk = suppression_key(email)
    item = Suppression(pk, sk)
    item.update(actions=[
        Suppression.item_type.set(Suppression),
        Suppression.email.set(email.strip().lower()),
        Suppression.reason.set(reason),
        Suppression.detail.set(detail) if detail else Suppression.detail.remove(),
        Suppression.since.set(Suppression.since | reported_at),
        Suppression.last_reported_at.set(reported_at),
        Suppression.ses_message_id.set(ses_message_id) if ses_message_id else Suppression.ses_message_id.remove(),
    ])


def get(email: str) -> Suppression | None:
    try:
        return Suppression.get(*suppression_key(email))
    except Suppression.DoesNotExist:
        return None


def of_addresses(emails: Iterable[str]) -> dict[str, Suppression]:
    """The suppressions among `emails` (one BatchGet), by lower-cased address."""
    keys = sorted({suppression_key(e) for e in emails})
    return {s.email: s for s in Suppression.batch_get(keys)} if keys else {}


def count_dropped(email: str) -> None:
    """One more email not sent to `email` (nothing if the suppression was cleared meanwhile)."""
    pk, sk = suppression_key(email)
    with contextlib.suppress(Conflict):
        conditional(lambda: Suppression(pk, sk).update(actions=[Suppression.dropped.add(1)],
                                                        condition=Suppression.pk.exists()), "Cleared.")


def clear(email: str) -> None:
    delete_item(Suppression(*suppression_key(email)))
