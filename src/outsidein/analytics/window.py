"""The window a dashboard shows, named in words, and how complete each trend period is.

Shared by the dashboard page, its downloads (CSV, XLSX, PDF, PNG) and its data endpoint, so
every one of them covers the same days and says so in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _

from outsidein.analytics import periods
from outsidein.analytics.services import Filters, Point

DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class Window:
    filters: Filters
    label: str
    running: bool  # the window reaches into a period that is not over yet


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _month(value: date) -> str:
    from outsidein.core.dates import month_year

    return month_year(value)


def resolve(
    filters: Filters, *, today: date, explicit: bool, all_time: bool, running: bool
) -> Window:
    """The dashboard's window. Without dates (``explicit`` False): the last 12 complete months,
    or, when ``running`` is asked for, the 12 months up to today with the running one marked."""
    if all_time:
        return Window(filters=filters, label=str(_("all time")), running=True)
    if not explicit:
        if running:
            since, until = periods.running_months(today, DEFAULT_MONTHS)
            done = periods.coverage(
                today.replace(day=1), "month", since=None, until=until, today=today
            )
            label = _(
                "the last %(months)s months, %(month)s so far (%(days)s of %(total)s days)"
            ) % {
                "months": DEFAULT_MONTHS,
                "month": _month(today),
                "days": done.days,
                "total": done.total,
            }
            return Window(replace(filters, since=since, until=until), label, running=True)
        since, until = periods.last_complete_months(today, DEFAULT_MONTHS)
        label = _("the last %(months)s complete months (%(first)s – %(last)s)") % {
            "months": DEFAULT_MONTHS,
            "first": _month(since),
            "last": _month(until),
        }
        return Window(replace(filters, since=since, until=until), label, running=False)
    first, last = filters.since, filters.until
    reaches_today = last is None or last >= today
    if first and last:
        label = _("%(first)s – %(last)s") % {"first": _day(first), "last": _day(last)}
    elif first:
        label = _("from %(first)s") % {"first": _day(first)}
    elif last:
        label = _("until %(last)s") % {"last": _day(last)}
    else:
        label = str(_("all time"))
    if reaches_today and (first is None or first <= today):
        label += " · " + _("so far (up to %(day)s)") % {"day": _day(today)}
    return Window(filters=filters, label=label, running=reaches_today)


@dataclass(frozen=True)
class PeriodMark:
    """What a trend point covers: ``label`` names the period, ``note`` says when it is not
    whole ("so far (4 of 31 days)"); ``partial`` tells the charts to draw it lighter."""

    label: str
    note: str
    partial: bool


def mark(point: Point, period: str, filters: Filters, today: date) -> PeriodMark:
    label = (
        _month(point.start)
        if period == "month"
        else formats.date_format(point.start, "DATE_FORMAT")
    )
    cover = periods.coverage(
        point.start, period, since=filters.since, until=filters.until, today=today
    )
    if not cover.partial:
        return PeriodMark(label=label, note="", partial=False)
    values = {"elapsed": cover.days, "length": cover.total}
    if cover.running:
        note = _("so far (%(elapsed)s of %(length)s days)") % values
    else:
        note = _("%(elapsed)s of %(length)s days") % values
    return PeriodMark(label=label, note=note, partial=True)


def range_label(first: date, last: date) -> str:
    """ "Nov 2026" for a whole month, "Dec 2024 – Nov 2025" for whole months, else the days."""
    if first.day == 1 and last == periods.month_end(last):
        if (first.year, first.month) == (last.year, last.month):
            return _month(first)
        return _("%(first)s – %(last)s") % {"first": _month(first), "last": _month(last)}
    return _("%(first)s – %(last)s") % {"first": _day(first), "last": _day(last)}
