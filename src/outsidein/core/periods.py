"""Calendar periods the figures are reported in: months and quarters (pure, no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _


def month_starts(today: date, months: int) -> list[date]:
    """The first day of each of the last ``months`` months, oldest first, this month last."""
    starts = []
    year, month = today.year, today.month
    for _index in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def last_full_month(today: date) -> date:
    """The first day of the month before ``today``'s."""
    return month_starts(today, 2)[0]


_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``YYYY-Qn`` (e.g. 2026-Q3); ValueError with a message otherwise."""
        found = _QUARTER.match((text or "").strip().upper())
        if not found or not 1900 <= int(found.group(1)) <= 2999:
            raise ValueError(
                _("A quarter is written like 2026-Q3, not %(text)s.") % {"text": repr(text)}
            )
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last(self) -> date:
        return self.next().first - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + (self.number == 4), self.number % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def back(self, count: int) -> list[Quarter]:
        """``count`` quarters ending with this one, oldest first."""
        out = [self]
        while len(out) < count:
            out.append(out[-1].previous())
        return list(reversed(out))

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


def quarters_between(start: date, end: date) -> list[Quarter]:
    """Every calendar quarter from the one holding ``start`` to the one holding ``end``."""
    quarter, last = Quarter.of(start), Quarter.of(end)
    out = []
    while (quarter.year, quarter.number) <= (last.year, last.number):
        out.append(quarter)
        quarter = quarter.next()
    return out
