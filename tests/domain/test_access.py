"""Access rules: the state a grant starts in, where payments and staff move it, and the
decision made at each download."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import access
from chalicelib.domain.access import AFTER_PAYMENT, AVAILABLE, CLAIM_LINK, EXPIRED, INTERNAL, LOCKED, MANUAL, REVOKED, VISIBLE
from chalicelib.domain.errors import Conflict, ValidationError

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("policy, paid, state", [
    ("internal", False, None), (VISIBLE, False, AVAILABLE), (AFTER_PAYMENT, False, LOCKED),
    (AFTER_PAYMENT, True, AVAILABLE), (MANUAL, True, LOCKED), (CLAIM_LINK, True, LOCKED),
])
def test_initial_state(policy: str, paid: bool, state: str | None) -> None:
    assert access.initial_state(policy, paid) == state


def test_paying_in_full_unlocks_and_a_refund_revokes_unless_kept() -> None:
    assert access.state_after_payment_change(AFTER_PAYMENT, LOCKED, True, False) == AVAILABLE
    assert access.state_after_payment_change(AFTER_PAYMENT, AVAILABLE, False, False) == REVOKED
    assert access.state_after_payment_change(AFTER_PAYMENT, AVAILABLE, False, True) == AVAILABLE
    assert access.state_after_payment_change(AFTER_PAYMENT, REVOKED, True, False) == AVAILABLE
    assert access.state_after_payment_change(AFTER_PAYMENT, EXPIRED, True, False) == EXPIRED
    assert access.state_after_payment_change(MANUAL, LOCKED, True, False) == LOCKED
    assert access.state_after_payment_change(AFTER_PAYMENT, LOCKED, False, False) == LOCKED


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
        "state": AVAILABLE, "policy": VISIBLE, "invoice_paid": None, "downloads": 0,
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
    ({"policy": AFTER_PAYMENT, "invoice_paid": False}, "awaiting_payment"),
    ({"policy": AFTER_PAYMENT, "invoice_paid": True}, "ok"),
    ({"policy": AFTER_PAYMENT, "state": LOCKED, "invoice_paid": True}, "awaiting_payment"),
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
    # The page may have been opened before a refund: the decision re-reads the invoice.
    assert _decide(policy=AFTER_PAYMENT, invoice_paid=False).reason == "awaiting_payment"


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
