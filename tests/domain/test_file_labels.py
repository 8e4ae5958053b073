"""`access.file_label`: the words and link a client list shows for a file, decided by the same
rules as the redemption, so a list never offers a link that `/files/{token}` refuses."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import access
from chalicelib.domain.access import AFTER_PAYMENT, AVAILABLE, CLAIM_LINK, EXPIRED, LOCKED, MANUAL, REVOKED, VISIBLE

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
PAST, LATER = NOW - timedelta(seconds=1), NOW + timedelta(days=1)


@pytest.mark.parametrize("policy, state, downloads, limit, expires, paid, text, link", [
    (VISIBLE, AVAILABLE, 0, None, None, None, "available", True),
    (VISIBLE, AVAILABLE, 0, 3, None, None, "3 downloads left", True),
    (VISIBLE, AVAILABLE, 2, 3, LATER, None, "1 download left", True),
    (VISIBLE, AVAILABLE, 3, 3, None, None, "limit reached", False),  # used to say "Download"
    (VISIBLE, AVAILABLE, 0, None, PAST, None, "expired", False),  # still "available" in the table, past its days
    (VISIBLE, EXPIRED, 0, None, None, None, "expired", False),
    (VISIBLE, AVAILABLE, 5, 3, PAST, None, "expired", False),  # both: expiry is what decide_download says first
    (AFTER_PAYMENT, LOCKED, 0, None, None, False, "available after payment", False),
    (AFTER_PAYMENT, AVAILABLE, 0, None, None, False, "no longer available", False),  # invoice no longer paid
    (AFTER_PAYMENT, AVAILABLE, 0, 2, None, True, "2 downloads left", True),
    (AFTER_PAYMENT, REVOKED, 0, None, None, None, "no longer available", False),
    (MANUAL, LOCKED, 0, None, None, None, "waiting for release", False),
    (CLAIM_LINK, LOCKED, 0, None, None, None, "available to claim", False),
])
def test_labels_follow_the_download_decision(policy: str, state: str, downloads: int, limit: int | None,
                                             expires: datetime | None, paid: bool | None, text: str, link: bool) -> None:
    # `paid`: the invoice's payment, which decides a payment-controlled grant (None: no invoice).
    payment = None if paid is None else access.PaymentFacts(paid, 10_000 if paid else 0, 0, 0)
    state = access.effective_state(policy, access.initial_controller(policy), access.ATTACHED, state,
                                   access.DEFAULT_REFUND_RULE, payment)
    label = access.file_label(policy, state, downloads=downloads, download_limit=limit, expires_at=expires, now=NOW)
    assert (label.text, label.link) == (text, link)
    decision = access.decide_download(state, policy, downloads, limit, expires, NOW)
    assert label.link == decision.allowed and label.reason == decision.reason


def test_a_claimed_file_outside_its_claimers_files_has_no_link() -> None:
    label = access.file_label(CLAIM_LINK, AVAILABLE, downloads=0, download_limit=None, expires_at=None, now=NOW,
                              claimed_elsewhere=True)
    assert (label.text, label.link) == ("claimed", False)
