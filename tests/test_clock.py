"""The one clock: fixed by tests in one place, and the only reader of the system time."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from chalicelib import clock

CHALICELIB = Path(__file__).resolve().parents[1] / "chalicelib"


def test_a_fixed_clock_gives_now_and_today_in_the_asked_time_zone() -> None:
    clock.use(lambda: datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    try:
        assert clock.now() == datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
        assert clock.today() == date(2026, 3, 31)
        assert clock.today("Europe/Berlin") == date(2026, 4, 1)
        assert clock.today("America/New_York") == date(2026, 3, 31)
    finally:
        clock.use(None)
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 5


def test_only_the_clock_reads_the_system_time() -> None:
    readers = [str(p.relative_to(CHALICELIB)) for p in CHALICELIB.rglob("*.py")
               if re.search(r"date\.today\(\)|datetime\.now\(|utcnow\(\)", p.read_text())]
    assert readers == ["clock.py"]
