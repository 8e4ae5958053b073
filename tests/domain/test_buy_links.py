"""What a buy link's page tells a buyer: open, paused, expired or sold out — sold out as soon as
fewer are left than one purchase must take."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import buy_links as rules

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(("stock", "minimum", "expected"), [
    (None, 3, rules.OPEN), (5, 1, rules.OPEN), (3, 3, rules.OPEN),
    (2, 3, rules.SOLD_OUT), (0, 1, rules.SOLD_OUT), (-1, 1, rules.SOLD_OUT),
])
def test_sold_out_when_fewer_are_left_than_a_purchase_takes(stock: int | None, minimum: int, expected: str) -> None:
    assert rules.state(False, None, stock, NOW, minimum) == expected


def test_paused_then_expired_come_before_sold_out() -> None:
    assert rules.state(True, NOW - timedelta(days=1), 0, NOW) == rules.PAUSED
    assert rules.state(False, NOW, 0, NOW) == rules.EXPIRED
    assert rules.state(False, NOW + timedelta(seconds=1), 10, NOW) == rules.OPEN
