"""Access rules: the state a grant starts in, where payments and staff move it, and the
decision made at each download."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import access
from chalicelib.domain.access import AFTER_PAYMENT, AVAILABLE, CLAIM_LINK, EXPIRED, INTERNAL, LOCKED, MANUAL, REVOKED, VISIBLE
from chalicelib.domain.errors import Conflict, ValidationError

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


PAID = access.PaymentFacts(paid_in_full=True, amount_paid=10_000, refunded=0, charged_back=0)


@pytest.mark.parametrize("policy, paid, state", [
    ("internal", False, None), (VISIBLE, False, AVAILABLE), (AFTER_PAYMENT, False, LOCKED),
    (AFTER_PAYMENT, True, AVAILABLE), (MANUAL, True, LOCKED), (CLAIM_LINK, True, LOCKED),
])
def test_initial_state(policy: str, paid: bool, state: str | None) -> None:
    assert access.initial_state(policy, PAID if paid else access.UNPAID) == state


def _refunded(amount: int) -> access.PaymentFacts:
    return access.PaymentFacts(True, 10_000, amount, 0)


@pytest.mark.parametrize("rule, refunded, state", [
    (access.KEEP, 10_000, AVAILABLE), (access.KEEP, 100, AVAILABLE),
    (access.REVOKE_ON_FULL_REFUND, 100, AVAILABLE), (access.REVOKE_ON_FULL_REFUND, 9_999, AVAILABLE),
    (access.REVOKE_ON_FULL_REFUND, 10_000, REVOKED),
    (access.REVOKE_ON_ANY_REFUND, 100, REVOKED), (access.REVOKE_ON_ANY_REFUND, 0, AVAILABLE),
])
def test_a_refund_revokes_by_the_attachments_rule(rule: str, refunded: int, state: str) -> None:
    """Refunding 1.00 of 100.00 keeps the file by default (the over-revoke WooCommerce users hit)."""
    assert access.state_by_payment(rule, AVAILABLE, _refunded(refunded)) == state


def test_paying_unlocks_a_lost_dispute_revokes_whatever_the_rule_and_locked_stays_locked() -> None:
    lost = access.PaymentFacts(False, 0, 0, 10_000)
    assert access.state_by_payment(access.DEFAULT_REFUND_RULE, LOCKED, PAID) == AVAILABLE
    assert access.state_by_payment(access.KEEP, AVAILABLE, lost) == REVOKED
    assert access.payment_reason(REVOKED, lost) == access.DISPUTE_LOST
    assert access.payment_reason(REVOKED, _refunded(10_000)) == access.REFUNDED
    assert access.state_by_payment(access.DEFAULT_REFUND_RULE, REVOKED, PAID) == AVAILABLE
    assert access.state_by_payment(access.DEFAULT_REFUND_RULE, EXPIRED, PAID) == EXPIRED
    assert access.state_by_payment(access.DEFAULT_REFUND_RULE, LOCKED, access.UNPAID) == LOCKED


def test_only_payment_controlled_grants_follow_the_payment() -> None:
    assert access.controlled_by_payment(AFTER_PAYMENT, access.BY_PAYMENT, access.PAID_IN_FULL)
    assert not access.controlled_by_payment(AFTER_PAYMENT, access.BY_STAFF, access.REVOKED_BY_STAFF)
    assert not access.controlled_by_payment(AFTER_PAYMENT, access.BY_PAYMENT, access.DETACHED)
    assert not access.controlled_by_payment(MANUAL, access.BY_POLICY, access.ATTACHED)
    # A staff revoke stays revoked at download, even when the invoice says paid.
    assert access.effective_state(AFTER_PAYMENT, access.BY_STAFF, access.REVOKED_BY_STAFF, REVOKED,
                                  access.DEFAULT_REFUND_RULE, PAID) == REVOKED
    assert access.effective_state(AFTER_PAYMENT, access.BY_PAYMENT, access.PAID_IN_FULL, AVAILABLE,
                                  access.REVOKE_ON_ANY_REFUND, _refunded(1)) == REVOKED


@pytest.mark.parametrize("rule, keep, expected", [
    (None, None, access.REVOKE_ON_FULL_REFUND), (None, False, access.REVOKE_ON_FULL_REFUND), (None, True, access.KEEP),
    ("revoke_on_any_refund", None, access.REVOKE_ON_ANY_REFUND), ("keep", True, access.KEEP),
])
def test_the_refund_rule_and_the_older_keep_flag(rule: str | None, keep: bool | None, expected: str) -> None:
    assert access.refund_rule_from(rule, keep) == expected


def test_a_refund_rule_contradicting_the_keep_flag_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        access.refund_rule_from("revoke_on_any_refund", True)
    assert caught.value.field == "keep_after_refund"


def test_staff_actions() -> None:
    assert access.state_after_staff_action(LOCKED, "release") == AVAILABLE
    assert access.state_after_staff_action(AVAILABLE, "lock") == LOCKED
    assert access.state_after_staff_action(AVAILABLE, "revoke") == REVOKED
    with pytest.raises(Conflict):
        access.state_after_staff_action(REVOKED, "lock")
    with pytest.raises(ValidationError):
        access.state_after_staff_action(LOCKED, "delete")


def _decide(**overrides: object) -> access.Decision:
    facts: dict[str, object] = {
        "state": AVAILABLE, "policy": VISIBLE, "downloads": 0,
        "download_limit": None, "expires_at": None, "now": NOW,
    }
    facts.update(overrides)
    return access.decide_download(**facts)  # type: ignore[arg-type]


@pytest.mark.parametrize("overrides, reason", [
    ({}, "ok"),
    ({"state": REVOKED}, "revoked"),
    ({"state": EXPIRED}, "expired"),
    ({"expires_at": NOW}, "expired"),
    ({"expires_at": NOW + timedelta(seconds=1)}, "ok"),
    ({"policy": AFTER_PAYMENT}, "ok"),
    ({"policy": AFTER_PAYMENT, "state": LOCKED}, "awaiting_payment"),
    ({"policy": MANUAL, "state": LOCKED}, "not_released"),
    ({"download_limit": 3, "downloads": 2}, "ok"),
    ({"download_limit": 3, "downloads": 3}, "limit_reached"),
    ({"state": REVOKED, "download_limit": 1, "downloads": 5}, "revoked"),
])
def test_download_decision(overrides: dict[str, object], reason: str) -> None:
    decision = _decide(**overrides)
    assert decision.reason == reason
    assert decision.allowed is (reason == "ok")


def test_an_available_after_payment_grant_is_denied_when_the_invoice_is_no_longer_paid() -> None:
    # The grant may still say available (a worker catching up): the decision re-reads the invoice.
    lost = access.PaymentFacts(False, 0, 0, 10_000)
    state = access.effective_state(AFTER_PAYMENT, access.BY_PAYMENT, access.PAID_IN_FULL, AVAILABLE,
                                   access.DEFAULT_REFUND_RULE, lost)
    assert _decide(policy=AFTER_PAYMENT, state=state).reason == "revoked"


def test_every_denial_has_words_for_the_client() -> None:
    for reason in ("revoked", "expired", "awaiting_payment", "not_released", "limit_reached"):
        assert access.DENIAL_MESSAGES[reason]


@pytest.mark.parametrize("target, policy, ok", [
    ("invoice", AFTER_PAYMENT, True), ("product", AFTER_PAYMENT, True), ("client", AFTER_PAYMENT, False),
    ("quote", VISIBLE, True), ("project", MANUAL, True), ("planet", VISIBLE, False), ("client", "public", False),
    ("quote", AFTER_PAYMENT, False), ("product", CLAIM_LINK, False), ("client", CLAIM_LINK, True),
    ("invoice", INTERNAL, True), ("project", CLAIM_LINK, True),
])
def test_attachment_checks(target: str, policy: str, ok: bool) -> None:
    attachment = access.Attachment(policy=policy)
    if ok:
        access.check_attachment(target, attachment)
    else:
        with pytest.raises(ValidationError):
            access.check_attachment(target, attachment)


@pytest.mark.parametrize("policy, state, claimed, label", [
    (AFTER_PAYMENT, LOCKED, False, "available after payment"),
    (VISIBLE, AVAILABLE, False, "available"),
    (MANUAL, LOCKED, False, "waiting for release"),
    (CLAIM_LINK, AVAILABLE, True, "claimed"),
])
def test_client_labels(policy: str, state: str, claimed: bool, label: str) -> None:
    assert access.client_label(policy, state, claimed) == label


def test_access_expiry_counts_days_from_release() -> None:
    assert access.access_expires_at(NOW, 7) == NOW + timedelta(days=7)
    assert access.access_expires_at(NOW, None) is None


def test_internal_attachments_take_no_client_limits() -> None:
    with pytest.raises(ValidationError):
        access.check_attachment("client", access.Attachment(policy=INTERNAL, download_limit=3))
    with pytest.raises(ValidationError):
        access.check_attachment("client", access.Attachment(policy=INTERNAL, access_days=3))


def test_a_claim_opens_an_unclaimed_claim_link_grant_once() -> None:
    assert access.state_after_claim(CLAIM_LINK, LOCKED, None) == AVAILABLE
    with pytest.raises(Conflict):
        access.state_after_claim(CLAIM_LINK, AVAILABLE, "contact-1")
    with pytest.raises(Conflict):
        access.state_after_claim(CLAIM_LINK, REVOKED, None)
    with pytest.raises(ValidationError):
        access.state_after_claim(MANUAL, LOCKED, None)


@pytest.mark.parametrize("policy, state, reason, claimed_by, shown", [
    (VISIBLE, AVAILABLE, access.ATTACHED, None, True),
    (VISIBLE, AVAILABLE, access.DETACHED, None, False),
    (CLAIM_LINK, LOCKED, access.ATTACHED, None, False),
    (CLAIM_LINK, AVAILABLE, access.CLAIMED, "contact-1", True),
    (MANUAL, REVOKED, access.REVOKED_BY_STAFF, None, False),
    (AFTER_PAYMENT, REVOKED, access.NO_LONGER_PAID, None, True),
])
def test_what_clients_are_shown(policy: str, state: str, reason: str, claimed_by: str | None, shown: bool) -> None:
    assert access.shown_to_client(policy, state, reason, claimed_by) is shown
