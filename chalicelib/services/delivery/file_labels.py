"""The label and link a client list shows for a grant (invoice page, portal, Files page).

Its own module, importing only the domain and the grant model, because the pages that use
it are imported by the delivery code that `downloads` itself imports.
"""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain import access
from chalicelib.store.grants import Grant


def expires_of(grant: Grant) -> datetime | None:
    """When the grant's access period ends (None: it does not)."""
    return datetime.fromisoformat(grant.access_expires_at.replace("Z", "+00:00")) if grant.access_expires_at else None


def label_of(grant: Grant, now: datetime, payment: access.PaymentFacts | None = None, claimed_elsewhere: bool = False
             ) -> access.FileLabel:
    """What a client list shows for this grant: the decision `downloads.redeem` makes, in words
    (`payment`: the invoice's payment facts, when the grant hangs on an invoice)."""
    state = access.effective_state(grant.policy, grant.decided_by, grant.reason, grant.state, str(grant.refund_rule),
                                   payment)
    return access.file_label(
        grant.policy, state, downloads=int(grant.downloads or 0),
        download_limit=int(grant.download_limit) if grant.download_limit is not None else None,
        expires_at=expires_of(grant), now=now, claimed_elsewhere=claimed_elsewhere)
