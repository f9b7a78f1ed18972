"""Metrics for pages, the API and the CLI, read from the rollups (never from raw feedback).

``summary``, ``breakdown``, ``trend`` and ``compare`` turn filtered sums of rollup rows into
``stats.Estimate`` values with n and a 95% interval. The only database work is one aggregate
query per call over the rollup table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext as _

from outsidein.analytics import stats
from outsidein.analytics.models import COUNTERS, NPS_SCORE_COUNTERS, DailyRollup

BREAKDOWNS = ("segment", "team", "survey", "channel", "language", "kind")
PERIODS = ("week", "month")


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None  # inclusive
    survey_id: int | None = None
    segment_id: int | None = None
    team_id: int | None = None
    channel: str | None = None
    language: str | None = None
    kind: str | None = None

    def q(self) -> Q:
        q = Q()
        if self.since:
            q &= Q(day__gte=self.since)
        if self.until:
            q &= Q(day__lte=self.until)
        for name in ("survey_id", "segment_id", "team_id", "channel", "language", "kind"):
            value = getattr(self, name)
            if value not in (None, ""):
                q &= Q(**{name: value})
        return q

    def shifted_back(self) -> Filters:
        """The same filters over the period of equal length just before this one."""
        if not (self.since and self.until):
            raise ValueError("Comparing periods needs both since and until.")
        length = (self.until - self.since).days + 1
        return Filters(
            **{
                **self.__dict__,
                "since": self.since - timedelta(days=length),
                "until": self.since - timedelta(days=1),
            }
        )


@dataclass(frozen=True)
class Summary:
    items: int
    nps: stats.Estimate
    csat: stats.Estimate
    ces: stats.Estimate
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "nps": self.nps.to_dict(),
            "csat": self.csat.to_dict(),
            "ces": self.ces.to_dict(),
            "promoters": self.counts.get("promoters", 0),
            "passives": self.counts.get("passives", 0),
            "detractors": self.counts.get("detractors", 0),
        }


def summarise(counts: Mapping[str, Any], *, minimum_n: int = stats.MINIMUM_N) -> Summary:
    """Pure: a Summary from summed rollup counters."""
    c = {name: int(counts.get(name) or 0) for name in COUNTERS}
    return Summary(
        items=c["items"],
        nps=stats.nps(c["promoters"], c["passives"], c["detractors"], minimum_n=minimum_n),
        csat=stats.proportion(c["csat_top2"], c["csat_n"], minimum_n=minimum_n),
        ces=stats.mean(c["ces_n"], c["ces_sum"], c["ces_sumsq"], minimum_n=minimum_n),
        counts=c,
    )


def _rows(organisation_id: int, filters: Filters) -> QuerySet[DailyRollup]:
    return DailyRollup.objects.filter(filters.q(), organisation_id=organisation_id)


_SUMS = {name: Sum(name) for name in COUNTERS}


def summary(organisation_id: int, filters: Filters = Filters()) -> Summary:
    return summarise(_rows(organisation_id, filters).aggregate(**_SUMS))


@dataclass(frozen=True)
class Group:
    key: Any
    label: str
    summary: Summary


def breakdown(
    organisation_id: int,
    by: str,
    filters: Filters = Filters(),
    *,
    labels: dict[Any, str] | None = None,
) -> list[Group]:
    """One Summary per value of a dimension, largest groups first."""
    if by not in BREAKDOWNS:
        raise ValueError(f"Cannot break down by {by!r}; choose one of {', '.join(BREAKDOWNS)}.")
    column = by if by in ("channel", "language", "kind") else f"{by}_id"
    rows = _rows(organisation_id, filters).values(column).annotate(**_SUMS).order_by()
    groups = [
        Group(
            key=row[column],
            label=(labels or {}).get(row[column]) or _label_fallback(by, row[column]),
            summary=summarise(row),
        )
        for row in rows
    ]
    return sorted(groups, key=lambda g: -g.summary.items)


def _label_fallback(by: str, key: Any) -> str:
    if key in (0, None, ""):
        return {"segment": _("No segment"), "team": _("No team"), "survey": _("No survey")}.get(
            by, "–"
        )
    return str(key)


@dataclass(frozen=True)
class Point:
    start: date
    summary: Summary


def trend(organisation_id: int, period: str, filters: Filters = Filters()) -> list[Point]:
    """One Summary per week or month, oldest first; periods without data are left out."""
    if period not in PERIODS:
        raise ValueError(f"Period must be week or month, not {period!r}.")
    trunc = TruncWeek("day") if period == "week" else TruncMonth("day")
    rows = (
        _rows(organisation_id, filters)
        .annotate(period=trunc)
        .values("period")
        .annotate(**_SUMS)
        .order_by("period")
    )
    return [Point(start=_as_date(row["period"]), summary=summarise(row)) for row in rows]


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


@dataclass(frozen=True)
class Comparison:
    current: Summary
    previous: Summary
    nps: stats.Change
    csat: stats.Change
    ces: stats.Change


def compare(organisation_id: int, filters: Filters) -> Comparison:
    """This period against the one of equal length before it, with significance tests."""
    current = summary(organisation_id, filters)
    previous = summary(organisation_id, filters.shifted_back())
    a, b = previous.counts, current.counts
    return Comparison(
        current=current,
        previous=previous,
        nps=stats.compare_nps(
            (a["promoters"], a["passives"], a["detractors"]),
            (b["promoters"], b["passives"], b["detractors"]),
        ),
        csat=stats.compare_proportions(
            (a["csat_top2"], a["csat_n"]), (b["csat_top2"], b["csat_n"])
        ),
        ces=stats.compare_means(
            (a["ces_n"], a["ces_sum"], a["ces_sumsq"]), (b["ces_n"], b["ces_sum"], b["ces_sumsq"])
        ),
    )


def dimension_labels(organisation_id: int, by: str) -> dict[Any, str]:
    """Readable names for the ids a breakdown returns."""
    from outsidein.core.models import Segment, Team
    from outsidein.voice.models import Channel, FeedbackKind, Survey

    if by == "segment":
        return dict(
            Segment.objects.filter(organisation_id=organisation_id).values_list("id", "name")
        )
    if by == "team":
        return dict(Team.objects.filter(organisation_id=organisation_id).values_list("id", "name"))
    if by == "survey":
        return dict(
            Survey.objects.filter(organisation_id=organisation_id).values_list("id", "name")
        )
    if by == "channel":
        return {value: str(label) for value, label in Channel.choices}
    if by == "kind":
        return {value: str(label) for value, label in FeedbackKind.choices}
    if by == "language":
        return {"nl": _("Dutch"), "en": _("English")}
    return {}


def score_distribution(organisation_id: int, filters: Filters = Filters()) -> dict[int, int]:
    """How many gave each NPS score 0–10."""
    sums = _rows(organisation_id, filters).aggregate(
        **{name: Sum(name) for name in NPS_SCORE_COUNTERS}
    )
    return {score: int(sums[f"nps_{score}"] or 0) for score in range(11)}


def iter_counts(groups: Iterable[Group]) -> list[dict[str, Any]]:
    return [{"key": g.key, "label": g.label, **g.summary.to_dict()} for g in groups]
