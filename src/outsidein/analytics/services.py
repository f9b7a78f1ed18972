"""Metrics for pages, the API and the CLI, read from the rollups (never from raw feedback).

``summary``, ``breakdown``, ``trend`` and ``compare`` turn filtered sums of rollup rows into
``stats.Estimate`` values with n and a 95% interval. Whole months are read from the monthly
rollups and the days around them from the daily ones: one or a few aggregate queries per call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.db.models import F, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext as _

from outsidein.analytics import stats
from outsidein.analytics.models import COUNTERS, DailyRollup, MonthlyRollup

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
        """The same filters over the period just before this one: as many whole months for whole
        months, the same days as many months earlier for months still running, else the days
        of equal length just before."""
        if not (self.since and self.until):
            raise ValueError("Comparing periods needs both since and until.")
        if self.since.day == 1 and self.until == month_end(self.until):
            # Whole calendar months: the same number of whole months before (November
            # against October, not against 2–31 October).
            months = (self.until.year - self.since.year) * 12 + self.until.month - self.since.month
            index = self.since.year * 12 + self.since.month - 1 - (months + 1)
            first = date(index // 12, index % 12 + 1, 1)
            return replace(self, since=first, until=self.since - timedelta(days=1))
        if self.since.day == 1:
            # Months with the last one still running (1 Jan – 4 Dec): the same days as many
            # months earlier (1 Jan – 4 Dec a year before), so "so far" meets "so far".
            months = (self.until.year - self.since.year) * 12 + self.until.month - self.since.month
            index = self.since.year * 12 + self.since.month - 1 - (months + 1)
            first = date(index // 12, index % 12 + 1, 1)
            last_index = self.until.year * 12 + self.until.month - 1 - (months + 1)
            last_month = date(last_index // 12, last_index % 12 + 1, 1)
            last = min(
                month_end(last_month),
                last_month.replace(day=1) + timedelta(days=self.until.day - 1),
            )
            return replace(self, since=first, until=last)
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


_SUMS = {name: Sum(name) for name in COUNTERS}


def month_end(day: date) -> date:
    """The last day of the month ``day`` lies in."""
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _spans(since: date | None, until: date | None) -> list[tuple[str, date | None, date | None]]:
    """Cover [since, until] with monthly rows for whole months and daily rows for the rest:
    ("month" or "day", first, last), bounds inclusive, None for open."""
    if since is not None and until is not None and since > until:
        return []
    spans: list[tuple[str, date | None, date | None]] = []
    first_full = since
    if since is not None and since.day != 1:
        head_end = month_end(since)
        if until is not None and until <= head_end:
            return [("day", since, until)]
        spans.append(("day", since, head_end))
        first_full = head_end + timedelta(days=1)
    last_full = until
    tail: tuple[str, date | None, date | None] | None = None
    if until is not None and until != month_end(until):
        tail_start = until.replace(day=1)
        if first_full is not None and tail_start < first_full:
            tail_start = first_full
        tail = ("day", tail_start, until)
        last_full = tail_start - timedelta(days=1)
    if first_full is None or last_full is None or first_full <= last_full:
        spans.append(("month", first_full, last_full))
    if tail is not None:
        spans.append(tail)
    return spans


def _querysets(organisation_id: int, filters: Filters, *, daily_only: bool = False) -> list[Any]:
    """Rollup querysets whose rows together cover the filters exactly once."""
    spans = (
        [("day", filters.since, filters.until)]
        if daily_only
        else _spans(filters.since, filters.until)
    )
    dimension_q = replace(filters, since=None, until=None).q()
    result = []
    for grain, first, last in spans:
        model: Any = DailyRollup if grain == "day" else MonthlyRollup
        column = "day" if grain == "day" else "month"
        q = dimension_q
        if first is not None:
            q &= Q(**{f"{column}__gte": first})
        if last is not None:
            q &= Q(**{f"{column}__lte": last})
        result.append(model.objects.filter(q, organisation_id=organisation_id))
    return result


def _sum_grouped(querysets: list[Any], group: list[str]) -> dict[tuple[Any, ...], dict[str, int]]:
    """Counters summed per group over all querysets (one aggregate query each)."""
    totals: dict[tuple[Any, ...], dict[str, int]] = {}
    for queryset in querysets:
        rows = (
            queryset.values(*group).annotate(**_SUMS).order_by()
            if group
            else [queryset.aggregate(**_SUMS)]
        )
        for row in rows:
            key = tuple(_as_date(row[g]) if g == "period" else row[g] for g in group)
            target = totals.setdefault(key, dict.fromkeys(COUNTERS, 0))
            for name in COUNTERS:
                target[name] += int(row[name] or 0)
    return totals


def summary(organisation_id: int, filters: Filters = Filters()) -> Summary:
    totals = _sum_grouped(_querysets(organisation_id, filters), [])
    return summarise(totals.get((), {}))


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
    totals = _sum_grouped(_querysets(organisation_id, filters), [column])
    groups = [
        Group(
            key=key,
            label=(labels or {}).get(key) or _label_fallback(by, key),
            summary=summarise(counts),
        )
        for (key,), counts in totals.items()
    ]
    return sorted(groups, key=lambda g: (-g.summary.items, g.label))


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
    querysets = []
    for queryset in _querysets(organisation_id, filters, daily_only=period == "week"):
        column = "day" if queryset.model is DailyRollup else "month"
        trunc = TruncWeek(column) if period == "week" else TruncMonth(column)
        querysets.append(queryset.annotate(period=trunc))
    totals = _sum_grouped(querysets, ["period"])
    return [Point(start=key[0], summary=summarise(totals[key])) for key in sorted(totals)]


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
    totals = _sum_grouped(_querysets(organisation_id, filters), []).get((), {})
    return {score: int(totals.get(f"nps_{score}") or 0) for score in range(11)}


@dataclass(frozen=True)
class Overview:
    summary: Summary
    trend: list[Point]
    breakdown: list[Group]
    distribution: dict[int, int]


def overview(
    organisation_id: int,
    filters: Filters,
    *,
    by: str,
    period: str,
    labels: dict[Any, str] | None = None,
) -> Overview:
    """Everything the dashboard shows, from one grouped query per rollup span: counters per
    (period, group), folded in Python into the totals, the trend and the breakdown."""
    if by not in BREAKDOWNS:
        raise ValueError(f"Cannot break down by {by!r}; choose one of {', '.join(BREAKDOWNS)}.")
    if period not in PERIODS:
        raise ValueError(f"Period must be week or month, not {period!r}.")
    column = by if by in ("channel", "language", "kind") else f"{by}_id"
    querysets = []
    for queryset in _querysets(organisation_id, filters, daily_only=period == "week"):
        if queryset.model is MonthlyRollup:
            querysets.append(queryset.annotate(period=F("month")))
        else:
            trunc = TruncWeek("day") if period == "week" else TruncMonth("day")
            querysets.append(queryset.annotate(period=trunc))
    totals = _sum_grouped(querysets, ["period", column])
    overall = dict.fromkeys(COUNTERS, 0)
    per_period: dict[date, dict[str, int]] = {}
    per_group: dict[Any, dict[str, int]] = {}
    for (start, key), counts in totals.items():
        for target in (
            overall,
            per_period.setdefault(start, dict.fromkeys(COUNTERS, 0)),
            per_group.setdefault(key, dict.fromkeys(COUNTERS, 0)),
        ):
            for name, value in counts.items():
                target[name] += value
    groups = [
        Group(
            key=key,
            label=(labels or {}).get(key) or _label_fallback(by, key),
            summary=summarise(counts),
        )
        for key, counts in per_group.items()
    ]
    return Overview(
        summary=summarise(overall),
        trend=[
            Point(start=start, summary=summarise(per_period[start])) for start in sorted(per_period)
        ],
        breakdown=sorted(groups, key=lambda g: (-g.summary.items, g.label)),
        distribution={score: overall[f"nps_{score}"] for score in range(11)},
    )


def iter_counts(groups: Iterable[Group]) -> list[dict[str, Any]]:
    return [{"key": g.key, "label": g.label, **g.summary.to_dict()} for g in groups]


# --------------------------------------------------------------------------- comparisons


def metric_counts(counts: Mapping[str, int], metric: str) -> tuple[Any, ...]:
    """What ``stats.compare_many`` takes for one metric, from summed rollup counters."""
    if metric == "nps":
        return (counts["promoters"], counts["passives"], counts["detractors"])
    if metric == "csat":
        return (counts["csat_top2"], counts["csat_n"])
    if metric == "ces":
        return (counts["ces_n"], counts["ces_sum"], counts["ces_sumsq"])
    raise ValueError(f"metric must be one of {', '.join(stats.METRICS)}, got {metric!r}")


@dataclass(frozen=True)
class PairComparison:
    """Group ``b`` against group ``a`` (differences are ``b - a``) for NPS, CSAT and CES."""

    a: Group
    b: Group
    nps: stats.Difference
    csat: stats.Difference
    ces: stats.Difference

    @property
    def tested(self) -> bool:
        return any(getattr(self, m).p_value is not None for m in stats.METRICS)

    @property
    def smallest_p(self) -> float:
        values = [getattr(self, m).p_adjusted for m in stats.METRICS]
        return min((v for v in values if v is not None), default=2.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": {"key": self.a.key, "label": self.a.label, **self.a.summary.to_dict()},
            "b": {"key": self.b.key, "label": self.b.label, **self.b.summary.to_dict()},
            **{m: getattr(self, m).to_dict() for m in stats.METRICS},
        }


def compare_pairs(groups: list[Group]) -> list[PairComparison]:
    """Pure: every pair of ``groups`` (in their order; ``b`` after ``a``) tested for NPS, CSAT
    and CES, each metric's p-values Holm-corrected over the pairs it could test."""
    pairs = [(a, b) for index, a in enumerate(groups) for b in groups[index + 1 :]]
    per_metric = {
        metric: stats.compare_many(
            metric,
            [
                (metric_counts(a.summary.counts, metric), metric_counts(b.summary.counts, metric))
                for a, b in pairs
            ],
        )
        for metric in stats.METRICS
    }
    return [
        PairComparison(
            a=a,
            b=b,
            nps=per_metric["nps"][i],
            csat=per_metric["csat"][i],
            ces=per_metric["ces"][i],
        )
        for i, (a, b) in enumerate(pairs)
    ]


def compare_groups(
    organisation_id: int,
    by: str,
    filters: Filters = Filters(),
    *,
    labels: dict[Any, str] | None = None,
    keys: tuple[Any, Any] | None = None,
) -> list[PairComparison]:
    """Every two groups of a breakdown compared (or just the two ``keys``), Holm-corrected."""
    if labels is None:
        labels = dimension_labels(organisation_id, by)
    groups = breakdown(organisation_id, by, filters, labels=labels)
    if keys is not None:
        found = {str(g.key): g for g in groups}
        missing = [str(k) for k in keys if str(k) not in found]
        if missing:
            raise ValueError(
                _("No feedback for %(keys)s in this breakdown and period.")
                % {"keys": ", ".join(missing)}
            )
        groups = [found[str(keys[0])], found[str(keys[1])]]
    return compare_pairs(groups)


@dataclass(frozen=True)
class PeriodComparison:
    """This window (``b``) against the one before it (``a``)."""

    current: Summary
    previous: Summary
    since: date
    until: date
    previous_since: date
    previous_until: date
    nps: stats.Difference
    csat: stats.Difference
    ces: stats.Difference

    def to_dict(self) -> dict[str, Any]:
        return {
            "current": {
                "since": self.since,
                "until": self.until,
                **self.current.to_dict(),
            },
            "previous": {
                "since": self.previous_since,
                "until": self.previous_until,
                **self.previous.to_dict(),
            },
            **{m: getattr(self, m).to_dict() for m in stats.METRICS},
        }


def compare_periods(organisation_id: int, filters: Filters) -> PeriodComparison:
    """The window against the one of equal length (whole months: as many months) before it.
    One comparison per metric, so Holm changes nothing here (m = 1)."""
    before = filters.shifted_back()
    current = summary(organisation_id, filters)
    previous = summary(organisation_id, before)
    result = {
        metric: stats.compare_many(
            metric,
            [(metric_counts(previous.counts, metric), metric_counts(current.counts, metric))],
        )[0]
        for metric in stats.METRICS
    }
    assert filters.since and filters.until and before.since and before.until
    return PeriodComparison(
        current=current,
        previous=previous,
        since=filters.since,
        until=filters.until,
        previous_since=before.since,
        previous_until=before.until,
        **result,
    )
