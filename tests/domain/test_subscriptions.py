"""The order of subscription states and what each status gives the files (pure rules)."""
from __future__ import annotations

import pytest

from chalicelib.domain import subscriptions as rules


def test_a_later_event_wins_and_on_a_tie_an_ended_subscription_wins() -> None:
    active, canceled = {"status": "active"}, {"status": "canceled"}
    assert rules.state_key(100, "active", active) > rules.state_key(99, "canceled", canceled)
    assert rules.state_key(100, "canceled", canceled) > rules.state_key(100, "active", active)
    assert rules.state_key(100, "active", active) == rules.state_key(100, "active", dict(active))  # a repeat is not newer
    # Two different states in one second: one of them, the same one whatever the order.
    a, b = rules.state_key(5, "active", {"cancel": True}), rules.state_key(5, "active", {"cancel": False})
    assert a != b and max(a, b) == max(b, a)


@pytest.mark.parametrize(("status", "revoke_when_past_due", "state"), [
    ("active", False, "available"), ("trialing", False, "available"), ("past_due", False, "available"),
    ("past_due", True, "revoked"), ("canceled", False, "revoked"), ("unpaid", False, "revoked"),
    ("paused", False, "revoked"), ("incomplete", False, "locked"), ("incomplete_expired", False, "locked"),
])
def test_the_files_follow_the_status(status: str, revoke_when_past_due: bool, state: str) -> None:
    for before in ("locked", "available", "revoked"):
        assert rules.grant_state(status, revoke_when_past_due, before) == state
    assert rules.grant_state(status, revoke_when_past_due, "expired") == "expired"


def test_what_a_subscriber_may_do() -> None:
    assert rules.can_cancel("active", False) and not rules.can_cancel("active", True)
    assert rules.can_resume("active", True) and not rules.can_resume("canceled", True)
    assert rules.can_change_plan("trialing") and not rules.can_change_plan("past_due")
