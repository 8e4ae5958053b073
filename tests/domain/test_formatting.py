"""domain/formatting.py: spans of days by locale."""
from __future__ import annotations

import pytest

from chalicelib.domain import formatting


@pytest.mark.parametrize(("locale", "expected"), [
    ("en_GB", "1 Nov\u2009–\u20091 Dec 2026"), ("de_DE", "1. Nov.\u2009–\u20091. Dez. 2026"),
    ("en_US", "Nov 1\u2009–\u2009Dec 1, 2026")])
def test_a_period_is_one_span_in_the_locale(locale: str, expected: str) -> None:
    assert formatting.period("2026-11-01T00:00:00Z", "2026-12-01", locale) == expected


def test_a_period_with_one_end_is_that_day() -> None:
    assert formatting.period("2026-11-01", None, "de_DE") == formatting.day("2026-11-01", "de_DE")
    assert formatting.period(None, None) == ""
