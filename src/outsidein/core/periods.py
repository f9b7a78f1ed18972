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


# --- windows: the period a figure covers, named -----------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_DAYS = re.compile(r"^(\d{1,3})d$")


def month_last(first: date) -> date:
    """The last day of ``first``'s month."""
    return (date(first.year + (first.month == 12), first.month % 12 + 1, 1)) - timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """The period one figure covers: a calendar month, a calendar quarter, or the last N days.

    Every figure names its window (``label``). ``today`` inside the window makes it *running*:
    figures then cover ``first``–``today`` only and the label says "so far (4 of 31 days)".
    ``key`` is what a page's ``?period=`` and the API's ``period`` take back."""

    kind: str  # "month", "quarter" or "days"
    first: date
    last: date
    today: date | None = None

    # --- constructors
    @classmethod
    def month(cls, day: date, today: date | None = None) -> Window:
        first = date(day.year, day.month, 1)
        return cls("month", first, month_last(first), today)

    @classmethod
    def quarter(cls, quarter: Quarter, today: date | None = None) -> Window:
        return cls("quarter", quarter.first, quarter.last, today)

    @classmethod
    def days(cls, count: int, end: date) -> Window:
        """The ``count`` days up to and including ``end`` (a rolling window; never running)."""
        return cls("days", end - timedelta(days=count - 1), end, None)

    # --- facts
    @property
    def running(self) -> bool:
        return self.today is not None and self.first <= self.today < self.last

    @property
    def future(self) -> bool:
        return self.today is not None and self.today < self.first

    @property
    def complete(self) -> bool:
        return not self.running and not self.future

    @property
    def end(self) -> date:
        """The last day the figures count: ``today`` in a running window, else ``last``."""
        return self.today if self.running and self.today is not None else self.last

    @property
    def length(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def elapsed(self) -> int:
        return (self.end - self.first).days + 1

    @property
    def key(self) -> str:
        if self.kind == "month":
            return self.first.strftime("%Y-%m")
        if self.kind == "quarter":
            return str(Quarter.of(self.first))
        return f"{self.length}d"

    @property
    def quarter_value(self) -> Quarter | None:
        return Quarter.of(self.first) if self.kind == "quarter" else None

    @property
    def name(self) -> str:
        """The window in words, without the "so far" part: "November 2026", "2026-Q3",
        "the 90 days up to 30 Nov 2026"."""
        from django.utils.formats import date_format

        if self.kind == "month":
            return date_format(self.first, "F Y")
        if self.kind == "quarter":
            return self.key
        return _("the %(days)s days up to %(day)s") % {
            "days": self.length,
            "day": date_format(self.last, "DATE_FORMAT"),
        }

    @property
    def so_far(self) -> str:
        """ "so far (4 of 31 days)" for a running window, else ""."""
        if not self.running:
            return ""
        return _("so far (%(elapsed)s of %(length)s days)") % {
            "elapsed": self.elapsed,
            "length": self.length,
        }

    @property
    def label(self) -> str:
        return f"{self.name} {self.so_far}".strip()

    def previous(self) -> Window:
        if self.kind == "month":
            return Window.month(self.first - timedelta(days=1), self.today)
        if self.kind == "quarter":
            return Window.quarter(Quarter.of(self.first).previous(), self.today)
        return Window.days(self.length, self.first - timedelta(days=1))

    def back(self, count: int) -> list[Window]:
        """``count`` windows ending with this one, oldest first."""
        out = [self]
        while len(out) < count:
            out.append(out[-1].previous())
        return out[::-1]

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "first_day": self.first.isoformat(),
            "last_day": self.end.isoformat(),
            "complete": self.complete,
            "days_elapsed": self.elapsed,
            "days_total": self.length,
        }


def last_complete_month(today: date) -> Window:
    """The default window of monthly figures: the last month that has ended."""
    return Window.month(last_full_month(today), today)


def last_complete_quarter(today: date) -> Window:
    """The default window of quarterly figures: the last quarter that has ended."""
    return Window.quarter(Quarter.of(today).previous(), today)


def parse_window(text: str | None, today: date, default: str = "month") -> Window:
    """``YYYY-MM``, ``YYYY-Qn`` or ``Nd`` (the last N complete days); empty: the last complete
    month (``default="month"``) or quarter. A running period is only what was asked for.
    ValueError with a message naming what was wrong."""
    text = (text or "").strip()
    if not text:
        return last_complete_quarter(today) if default == "quarter" else last_complete_month(today)
    found = _MONTH.match(text)
    if found:
        year = int(found.group(1))
        if not 1900 <= year <= 2999:
            raise ValueError(
                _("A month is written like 2026-11, not %(text)s.") % {"text": repr(text)}
            )
        window = Window.month(date(year, int(found.group(2)), 1), today)
    elif _QUARTER.match(text.upper()):
        window = Window.quarter(Quarter.parse(text), today)
    elif _DAYS.match(text.lower()):
        days = int(text[:-1])
        if not 1 <= days <= 730:
            raise ValueError(
                _("A rolling window lasts 1 to 730 days, not %(text)s.") % {"text": repr(text)}
            )
        window = Window.days(days, today - timedelta(days=1))
    else:
        raise ValueError(
            _(
                "A period is a month (2026-11), a quarter (2026-Q3) or a number of days (90d), "
                "not %(text)s."
            )
            % {"text": repr(text)}
        )
    if window.future:
        raise ValueError(_("The period %(period)s has not started yet.") % {"period": window.key})
    return window


def period_choices(today: date, months: int = 13, quarters: int = 8) -> list[Window]:
    """The windows a period picker offers, newest first: the running month and quarter (their
    labels say "so far"), then complete months and quarters."""
    running_month = Window.month(today, today)
    running_quarter = Window.quarter(Quarter.of(today), today)
    return [*running_month.back(months)[::-1], *running_quarter.back(quarters)[::-1]]
