"""Honest periods: which window a figure covers, and whether a period is still running.

Pure functions (dates in, dates and plain data out). Dashboards open on whole periods that are
over; a period that is still running is shown only when asked for, and then as "so far (4 of 31
days)", never as if it were complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "Coverage",
    "coverage",
    "last_complete_months",
    "month_end",
    "months_back",
    "period_end",
    "running_months",
]


def month_end(day: date) -> date:
    """The last day of the month ``day`` lies in."""
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def months_back(first: date, months: int) -> date:
    """The first day of the month ``months`` before the month of ``first``."""
    index = first.year * 12 + (first.month - 1) - months
    return date(index // 12, index % 12 + 1, 1)


def last_complete_months(today: date, months: int = 12) -> tuple[date, date]:
    """The last ``months`` whole calendar months before the month ``today`` lies in."""
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    this_month = today.replace(day=1)
    return months_back(this_month, months), this_month - timedelta(days=1)


def running_months(today: date, months: int = 12) -> tuple[date, date]:
    """``months`` calendar months ending with the running one, up to and including today."""
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    return months_back(today.replace(day=1), months - 1), today


def period_end(start: date, period: str) -> date:
    """The last day of the week (Monday start) or month that begins on ``start``."""
    if period == "week":
        return start + timedelta(days=6)
    if period == "month":
        return month_end(start)
    raise ValueError(f"Period must be week or month, not {period!r}.")


@dataclass(frozen=True)
class Coverage:
    """How much of a trend period the figures cover.

    ``days`` of ``total`` days are inside the window; ``running`` is True when the period has
    not ended yet (it holds today). ``partial`` is True when the period is not covered whole.
    """

    days: int
    total: int
    running: bool

    @property
    def partial(self) -> bool:
        return self.days < self.total


def coverage(
    start: date, period: str, *, since: date | None, until: date | None, today: date
) -> Coverage:
    """The part of the period starting on ``start`` that the window [since, until] covers,
    cut at today (days still to come hold no feedback yet)."""
    end = period_end(start, period)
    first = max(start, since) if since else start
    last = min(end, until) if until else end
    last = min(last, today)
    days = max(0, (last - first).days + 1)
    total = (end - start).days + 1
    return Coverage(days=days, total=total, running=start <= today <= end)
