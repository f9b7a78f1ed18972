"""Calendar periods: months and quarters."""

from __future__ import annotations

from datetime import date

import pytest

from outsidein.core.periods import Quarter, last_full_month, month_starts, quarters_between


def test_month_starts_cross_the_year() -> None:
    assert month_starts(date(2026, 2, 17), 3) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert last_full_month(date(2026, 1, 5)) == date(2025, 12, 1)


def test_quarters() -> None:
    q4 = Quarter.of(date(2025, 11, 3))
    assert str(q4) == "2025-Q4"
    assert (q4.first, q4.last) == (date(2025, 10, 1), date(2025, 12, 31))
    assert str(q4.next()) == "2026-Q1" and str(q4.previous()) == "2025-Q3"
    assert [str(q) for q in Quarter.parse("2026-q1").back(3)] == ["2025-Q3", "2025-Q4", "2026-Q1"]
    assert [str(q) for q in quarters_between(date(2025, 11, 3), date(2026, 4, 1))] == [
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
    ]
    with pytest.raises(ValueError, match="2026-Q3"):
        Quarter.parse("2026-Q5")
