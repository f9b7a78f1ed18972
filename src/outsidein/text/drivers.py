"""What drives the scores: per theme its volume, sentiment and impact on NPS and CSAT, for the
whole organisation or per segment, team or month.

Read from the theme rollup (``text.rollups``: per day and per month × theme × segment × team
× sentiment, the counts and sums the figures need): whole months from the monthly rows, the
days of a partial month at either end from the daily rows; a period starts and ends at local
midnight (a start in the middle of a day counts that whole day). Two small grouped queries
however many comments there are. ``source="analyses"`` sums the analyses themselves instead
(one grouped query per 40 themes over every analysed comment in scope), the reference the
rollup is tested against. ``analytics.drivers`` (pure) turns the sums into figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Case, Count, F, FloatField, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from outsidein.analytics import stats
from outsidein.analytics.drivers import Counts, ThemeDriver, theme_driver
from outsidein.text.models import (
    THEME_ROLLUP_COUNTERS,
    DailyThemeRollup,
    FeedbackAnalysis,
    MonthlyThemeRollup,
    Theme,
)

BREAKDOWNS = ("segment", "team", "month")
THEMES_PER_QUERY = 40


@dataclass(frozen=True)
class DriverScope:
    """Which analysed comments count: received in [start, end), of a segment and/or team."""

    start: datetime | None = None
    end: datetime | None = None
    segment_id: int | None = None
    team_id: int | None = None


@dataclass(frozen=True)
class DriverGroup:
    """One segment, team or month (or everything, key None) with its themes' figures."""

    key: Any
    label: str
    comments: int
    nps: stats.Estimate
    csat: stats.Estimate
    themes: list[ThemeDriver] = field(default_factory=list)

    @property
    def has_csat(self) -> bool:
        return self.csat.n > 0

    def theme(self, name: str) -> ThemeDriver | None:
        return next((item for item in self.themes if item.name == name), None)


def _impact_order(item: ThemeDriver) -> tuple[bool, float, int]:
    """Most harmful first; themes without a measurable impact after them, largest first."""
    impact = item.nps_impact.difference
    return impact is None, impact or 0.0, -item.volume


def _group_column(by: str | None) -> Any:
    if by is None:
        return None
    if by not in BREAKDOWNS:
        raise ValueError(f"Cannot break down by {by!r}; choose one of {', '.join(BREAKDOWNS)}.")
    if by == "month":
        return TruncMonth("feedback__submitted_at")
    return F(f"feedback__{by}_id")


def analyses_in(organisation_id: int, scope: DriverScope) -> Any:
    """The analyses the figures of ``scope`` are made of (period, segment, team)."""
    return _rows(organisation_id, scope)


def _rows(organisation_id: int, scope: DriverScope) -> Any:
    rows = FeedbackAnalysis.objects.filter(organisation_id=organisation_id)
    if scope.start:
        rows = rows.filter(feedback__submitted_at__gte=scope.start)
    if scope.end:
        rows = rows.filter(feedback__submitted_at__lt=scope.end)
    if scope.segment_id:
        rows = rows.filter(feedback__segment_id=scope.segment_id)
    if scope.team_id:
        rows = rows.filter(feedback__team_id=scope.team_id)
    return rows


_NPS_BUCKET = Case(
    When(feedback__nps__gte=9, then=Value("p")),
    When(feedback__nps__gte=7, then=Value("x")),
    When(feedback__nps__isnull=False, then=Value("d")),
    default=Value(""),
)
_CSAT_BUCKET = Case(
    When(feedback__csat__gte=4, then=Value("t")),
    When(feedback__csat__isnull=False, then=Value("o")),
    default=Value(""),
)


def _sums(names: Sequence[str]) -> dict[str, Any]:
    sums: dict[str, Any] = {
        "n": Count("pk"),
        "s": Sum("score"),
        "ss": Sum(F("score") * F("score"), output_field=FloatField()),
    }
    for index, name in enumerate(names):
        has = Q(themes__has_key=name)
        sums[f"t{index}_n"] = Sum(
            Case(When(has, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        sums[f"t{index}_s"] = Sum(
            Case(When(has, then=F("score")), default=Value(0.0), output_field=FloatField())
        )
        sums[f"t{index}_ss"] = Sum(
            Case(
                When(has, then=F("score") * F("score")),
                default=Value(0.0),
                output_field=FloatField(),
            )
        )
    return sums


def _counts(n: int, s: float, ss: float, nps: str, csat: str, sentiment: str) -> Counts:
    return Counts(
        n=n,
        score_sum=float(s or 0.0),
        score_sq=float(ss or 0.0),
        negative=n if sentiment == "negative" else 0,
        promoters=n if nps == "p" else 0,
        passives=n if nps == "x" else 0,
        detractors=n if nps == "d" else 0,
        csat_top2=n if csat == "t" else 0,
        csat_n=n if csat in ("t", "o") else 0,
    )


def _key(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    return value


def _labels(organisation_id: int, by: str | None, keys: Sequence[Any]) -> dict[Any, str]:
    from outsidein.core.models import Segment, Team

    if by == "month":
        return {key: date_format(key, "YEAR_MONTH_FORMAT") for key in keys if key}
    if by == "segment":
        return dict(
            Segment.objects.filter(organisation_id=organisation_id).values_list("id", "name")
        )
    if by == "team":
        return dict(Team.objects.filter(organisation_id=organisation_id).values_list("id", "name"))
    return {}


def _fallback(by: str | None, key: Any) -> str:
    if by is None:
        return _("All comments")
    return {"segment": _("No segment"), "team": _("No team")}.get(by, "–")


def theme_drivers(
    organisation_id: int,
    *,
    by: str | None = None,
    scope: DriverScope = DriverScope(),
    themes: Sequence[str] | None = None,
    minimum_n: int = stats.MINIMUM_N,
    source: str = "rollup",
) -> list[DriverGroup]:
    """Per group (one group when ``by`` is None) the figures of each theme that occurs in it,
    most harmful first. ``by`` is "segment", "team" or "month"; ``themes`` limits the themes
    (default: the organisation's taxonomy). Groups: largest first; months oldest first.
    ``source``: "rollup" (the pages) or "analyses" (summed from the analyses)."""
    column = _group_column(by)
    names = (
        sorted(set(themes))
        if themes is not None
        else list(
            Theme.objects.filter(organisation_id=organisation_id)
            .order_by("name")
            .values_list("name", flat=True)
        )
    )
    if source == "rollup":
        labels = _labels(organisation_id, by, [])
        totals, themes_in = _from_rollup(organisation_id, by, scope, names, list(labels))
        return _groups(
            organisation_id, by, totals, themes_in, lambda _name: totals, minimum_n, labels
        )
    chunks = [names[i : i + THEMES_PER_QUERY] for i in range(0, len(names), THEMES_PER_QUERY)]
    base = _rows(organisation_id, scope).annotate(nps_bucket=_NPS_BUCKET, csat_bucket=_CSAT_BUCKET)
    if column is not None:
        base = base.annotate(group_key=column)
    grouping = ["nps_bucket", "csat_bucket", "sentiment"] + (
        ["group_key"] if column is not None else []
    )
    # Each query's themes are compared with that query's own totals: a later query may see
    # comments analysed in between, and a theme must never count more than its whole.
    chunk_totals: list[dict[Any, Counts]] = []
    per_theme: dict[Any, dict[str, Counts]] = {}
    chunk_of: dict[str, int] = {}
    for number, chunk in enumerate(chunks or [[]]):
        seen: dict[Any, Counts] = {}
        chunk_totals.append(seen)
        chunk_of.update((name, number) for name in chunk)
        for row in base.values(*grouping).annotate(**_sums(chunk)).order_by():
            key = _key(row.get("group_key"))
            buckets = (row["nps_bucket"], row["csat_bucket"], row["sentiment"])
            seen[key] = seen.get(key, Counts()) + _counts(row["n"], row["s"], row["ss"], *buckets)
            themes_here = per_theme.setdefault(key, {})
            for index, name in enumerate(chunk):
                count = int(row[f"t{index}_n"] or 0)
                if count:
                    themes_here[name] = themes_here.get(name, Counts()) + _counts(
                        count, row[f"t{index}_s"], row[f"t{index}_ss"], *buckets
                    )
    return _groups(
        organisation_id,
        by,
        chunk_totals[0],
        per_theme,
        lambda name: chunk_totals[chunk_of.get(name, 0)],
        minimum_n,
    )


def _groups(
    organisation_id: int,
    by: str | None,
    totals: dict[Any, Counts],
    per_theme: dict[Any, dict[str, Counts]],
    whole_of: Any,
    minimum_n: int,
    labels: dict[Any, str] | None = None,
) -> list[DriverGroup]:
    if labels is None or by == "month":
        labels = _labels(organisation_id, by, list(totals))
    groups = []
    for key, everything in totals.items():
        drivers = [
            theme_driver(name, counts, whole_of(name).get(key, counts), minimum_n=minimum_n)
            for name, counts in per_theme.get(key, {}).items()
        ]
        groups.append(
            DriverGroup(
                key=key,
                label=labels.get(key) or _fallback(by, key),
                comments=everything.n,
                nps=everything.nps(minimum_n),
                csat=everything.csat(minimum_n),
                themes=sorted(drivers, key=_impact_order),
            )
        )
    if by == "month":
        groups.sort(key=lambda g: g.key or date.min)
    else:
        groups.sort(key=lambda g: (-g.comments, g.label))
    return groups


# --- from the rollup ---------------------------------------------------------------------------


def _first_of_next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _day_range(scope: DriverScope) -> tuple[date | None, date | None]:
    """The scope as local days [first, last): a start within a day counts that day; an end at
    or after now is no end."""
    first = timezone.localtime(scope.start).date() if scope.start else None
    last = None
    if scope.end is not None and scope.end < timezone.now():
        last = timezone.localtime(scope.end).date()
    return first, last


def _rollup_parts(scope: DriverScope) -> list[tuple[Any, str, dict[str, Any]]]:
    """Which rows cover the scope: whole months from the monthly rollup, the days of a partial
    month at either end from the daily one."""
    first, last = _day_range(scope)
    months_from = first if first is None or first.day == 1 else _first_of_next_month(first)
    months_to = last.replace(day=1) if last is not None else None
    if months_from is not None and months_to is not None and months_from >= months_to:
        return [(DailyThemeRollup, "day", {"day__gte": first, "day__lt": last})]
    parts: list[tuple[Any, str, dict[str, Any]]] = []
    monthly: dict[str, Any] = {}
    if months_from is not None:
        monthly["month__gte"] = months_from
    if months_to is not None:
        monthly["month__lt"] = months_to
    parts.append((MonthlyThemeRollup, "month", monthly))
    if first is not None and months_from is not None and first < months_from:
        parts.append((DailyThemeRollup, "day", {"day__gte": first, "day__lt": months_from}))
    if last is not None and months_to is not None and months_to < last:
        parts.append((DailyThemeRollup, "day", {"day__gte": months_to, "day__lt": last}))
    return parts


def _grain(scope_id: int | None, grouped: bool, ids: Sequence[int]) -> Any:
    """Which rows of one dimension (segment or team) to read: the chosen one's, each one's when
    grouped by it (those that exist, and none), else the marginal rows that count them all."""
    from outsidein.text.rollups import ANY

    if scope_id:
        return scope_id
    if grouped:
        return [0, *ids]
    return ANY


def _from_rollup(
    organisation_id: int,
    by: str | None,
    scope: DriverScope,
    names: Sequence[str],
    group_ids: Sequence[int] = (),
    with_overall: bool = False,
) -> tuple[dict[Any, Counts], dict[Any, dict[str, Counts]]]:
    """The sums of ``scope`` per group. Only the rows of the grain that answers the question
    are read (``rollups.ANY`` for a dimension neither chosen nor grouped by): a few rows per
    day or month and theme, however many comments, segments and teams there are. Grouped by
    segment or team, ``group_ids`` are the organisation's segments or teams. ``with_overall``
    also sums every group into the key ``OVERALL`` (the same integers, from the same read)."""
    from outsidein.text.rollups import ALL, SCALE

    wanted = set(names)
    totals: dict[Any, Counts] = {}
    per_theme: dict[Any, dict[str, Counts]] = {}
    sums = {name: Sum(name) for name in THEME_ROLLUP_COUNTERS}
    summed: dict[tuple[Any, str], list[int]] = {}  # (group, theme) → the Counts' fields
    for model, period, bounds in _rollup_parts(scope):
        rows = model.objects.filter(organisation_id=organisation_id, **bounds)
        for dimension, chosen in (("segment_id", scope.segment_id), ("team_id", scope.team_id)):
            grain = _grain(chosen, by == dimension[:-3], group_ids)
            lookup = "__in" if isinstance(grain, list) else ""
            rows = rows.filter(**{dimension + lookup: grain})
        if len(wanted) < 200:
            rows = rows.filter(theme__in=[ALL, *wanted])
        grouping = ["theme", "sentiment"]
        column = {"segment": "segment_id", "team": "team_id", "month": period}.get(by or "")
        if by == "month" and period == "day":
            # Days summed into their month by the database: a row per month, not per day.
            rows = rows.annotate(month_of=TruncMonth("day"))
            column = "month_of"
        if column:
            grouping.append(column)
        found = rows.values(*grouping).annotate(**sums).order_by()
        for row in found.values_list(*grouping, *THEME_ROLLUP_COUNTERS):
            theme = row[0]
            if theme != ALL and theme not in wanted:
                continue
            key: Any = None
            if by == "month":
                key = row[2].replace(day=1)
            elif column:
                key = row[2] or None
            n, score_sum, score_sq, promoters, passives, detractors, top2, csat_n = (
                int(value or 0) for value in row[-len(THEME_ROLLUP_COUNTERS) :]
            )
            for into_key in (key, OVERALL) if with_overall else (key,):
                into = summed.get((into_key, theme))
                if into is None:
                    into = summed[(into_key, theme)] = [0] * 9
                into[0] += n
                into[1] += score_sum
                into[2] += score_sq
                into[3] += n if row[1] == "negative" else 0
                into[4] += promoters
                into[5] += passives
                into[6] += detractors
                into[7] += top2
                into[8] += csat_n
    for (key, theme), (n, s, ss, *rest) in summed.items():
        # Integer sums to the end: the scores back from millionths once.
        counts = Counts(n, s / SCALE, ss / (SCALE * SCALE), *rest)
        if theme == ALL:
            totals[key] = counts
        else:
            per_theme.setdefault(key, {})[theme] = counts
    totals = {key: counts for key, counts in totals.items() if counts.n}
    return totals, per_theme


OVERALL = "overall"  # the key of every group summed (``_from_rollup(with_overall=True)``)


def _volumes(
    totals: dict[Any, Counts], per_theme: dict[Any, dict[str, Counts]]
) -> list[tuple[date, dict[str, int]]]:
    return [
        (month, {name: counts.n for name, counts in per_theme.get(month, {}).items()})
        for month in sorted(key for key in totals if isinstance(key, date))
    ]


def monthly_volumes(
    organisation_id: int, scope: DriverScope, names: Sequence[str]
) -> list[tuple[date, dict[str, int]]]:
    """Per month (oldest first, months with comments) each theme's number of comments."""
    return _volumes(*_from_rollup(organisation_id, "month", scope, names))


def _names(organisation_id: int, themes: Sequence[str] | None) -> list[str]:
    if themes is not None:
        return sorted(set(themes))
    return list(
        Theme.objects.filter(organisation_id=organisation_id)
        .order_by("name")
        .values_list("name", flat=True)
    )


def _with_whole(
    organisation_id: int, scope: DriverScope, names: Sequence[str]
) -> tuple[list[DriverGroup], dict[Any, Counts], dict[Any, dict[str, Counts]]]:
    """The scope's one group (as ``theme_drivers`` without ``by``) and its sums per month,
    from one read of the rollup grouped by month: the whole is the sum of its months."""
    totals, per_theme = _from_rollup(organisation_id, "month", scope, names, with_overall=True)
    whole = {None: totals.pop(OVERALL)} if OVERALL in totals else {}
    themes_in = {None: per_theme.pop(OVERALL, {})}
    return (
        _groups(organisation_id, None, whole, themes_in, lambda _name: whole, stats.MINIMUM_N, {}),
        totals,
        per_theme,
    )


def theme_drivers_per_month_and_whole(
    organisation_id: int, *, scope: DriverScope, themes: Sequence[str] | None = None
) -> tuple[list[DriverGroup], list[DriverGroup]]:
    """``theme_drivers`` by month and without ``by``, from one read of the rollup."""
    whole, totals, per_theme = _with_whole(organisation_id, scope, _names(organisation_id, themes))
    months = _groups(
        organisation_id, "month", totals, per_theme, lambda _name: totals, stats.MINIMUM_N
    )
    return months, whole


def theme_drivers_and_volumes(
    organisation_id: int, *, scope: DriverScope
) -> tuple[list[DriverGroup], list[tuple[date, dict[str, int]]]]:
    """``theme_drivers`` over the scope (one group) and ``monthly_volumes`` of its themes, from
    one read of the rollup grouped by month: the whole is the sum of its months."""
    groups, totals, per_theme = _with_whole(organisation_id, scope, _names(organisation_id, None))
    return groups, _volumes(totals, per_theme)


def group_to_dict(group: DriverGroup) -> dict[str, Any]:
    key = group.key.isoformat()[:7] if isinstance(group.key, date) else group.key
    return {
        "key": key,
        "label": group.label,
        "comments": group.comments,
        "nps": group.nps.to_dict(),
        "csat": group.csat.to_dict(),
        "themes": [item.to_dict() for item in group.themes],
    }
