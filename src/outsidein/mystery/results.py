"""What mystery shopping shows: scores per touchpoint and scenario with their trend, the weakest
items, and coverage (the share of employees who experienced their own service within the
interval), per team. Teams are ranked, never individuals.

Scores are aggregated in the database (count, sum, sum of squares per scenario and quarter);
only the item answers of the period are read row by row, for the weakest items."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear

from outsidein.analytics import stats
from outsidein.core.models import Person, Team
from outsidein.core.periods import Quarter, quarters_between
from outsidein.mystery.models import Assignment, AssignmentStatus, MysteryProgramme, Scenario
from outsidein.mystery.scoring import NO, SCORE_MIN, YES

# Mystery shops are few by nature (a handful per touchpoint per quarter), and each is a
# deliberate, scripted observation; below this many a figure is shown as "too few shops".
MINIMUM_SHOPS = 5
DEFAULT_INTERVAL = 90


def interval_days(organisation_id: int) -> int:
    found = (
        MysteryProgramme.objects.filter(organisation_id=organisation_id)
        .values_list("interval_days", flat=True)
        .first()
    )
    return found or DEFAULT_INTERVAL


# --- coverage --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamCoverage:
    team_id: int
    name: str
    people: int
    covered: int

    @property
    def value(self) -> float | None:
        return 100.0 * self.covered / self.people if self.people else None


@dataclass(frozen=True)
class Coverage:
    end: date
    interval_days: int
    people: int
    covered: int
    teams: list[TeamCoverage] = field(default_factory=list)

    @property
    def value(self) -> float | None:
        return 100.0 * self.covered / self.people if self.people else None

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.interval_days - 1)


def coverage(organisation_id: int, end: date, days: int | None = None) -> Coverage:
    """Active employees with a reported shop in the ``days`` up to and including ``end``, in
    all and per team (their current team), teams ranked from low to high coverage."""
    days = days or interval_days(organisation_id)
    start = end - timedelta(days=days - 1)
    people = dict(
        Person.objects.filter(organisation_id=organisation_id, is_active=True).values_list(
            "pk", "team_id"
        )
    )
    shoppers = set(
        Assignment.objects.filter(
            organisation_id=organisation_id,
            status=AssignmentStatus.DONE,
            shopped_on__gte=start,
            shopped_on__lte=end,
            person_id__in=list(people),
        ).values_list("person_id", flat=True)
    )
    per_team: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for person_id, team_id in people.items():
        if team_id is None:
            continue
        per_team[team_id][0] += 1
        per_team[team_id][1] += person_id in shoppers
    names = dict(Team.objects.filter(pk__in=list(per_team)).values_list("pk", "name"))
    teams = [
        TeamCoverage(team_id=team_id, name=names.get(team_id, ""), people=n, covered=covered)
        for team_id, (n, covered) in per_team.items()
    ]
    teams.sort(key=lambda team: (team.value if team.value is not None else -1, team.name))
    return Coverage(
        end=end, interval_days=days, people=len(people), covered=len(shoppers), teams=teams
    )


# --- scores ----------------------------------------------------------------------------------


def _estimate(n: int, total: float, total_sq: float) -> stats.Estimate:
    estimate = stats.mean(n, total, total_sq, minimum_n=MINIMUM_SHOPS)
    if estimate.low is None:
        return estimate
    # Scores live on 0..100; an interval beyond that says nothing more.
    return stats.Estimate(
        value=estimate.value,
        low=max(0.0, estimate.low),
        high=min(100.0, estimate.high if estimate.high is not None else 100.0),
        n=estimate.n,
        enough=estimate.enough,
        confidence=estimate.confidence,
    )


@dataclass
class Sums:
    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0

    def add(self, n: int, total: float, total_sq: float) -> None:
        self.n += n
        self.total += total
        self.total_sq += total_sq

    def estimate(self) -> stats.Estimate:
        return _estimate(self.n, self.total, self.total_sq)

    def triple(self) -> tuple[int, float, float]:
        return (self.n, self.total, self.total_sq)


@dataclass
class ItemResult:
    label: str
    kind: str  # "check" (share yes) or "score" (mean 1–5 as 0–100)
    value: float | None
    n: int


@dataclass
class ScenarioResult:
    scenario: Scenario
    now: Sums = field(default_factory=Sums)
    before: Sums = field(default_factory=Sums)
    items: list[ItemResult] = field(default_factory=list)

    @property
    def estimate(self) -> stats.Estimate:
        return self.now.estimate()

    @property
    def change(self) -> stats.Change:
        return stats.compare_means(self.before.triple(), self.now.triple(), minimum_n=MINIMUM_SHOPS)

    @property
    def weakest(self) -> ItemResult | None:
        scored = [item for item in self.items if item.value is not None]
        return min(scored, key=lambda item: item.value or 0.0) if scored else None


@dataclass
class TouchpointResult:
    touchpoint: str
    scenarios: list[ScenarioResult] = field(default_factory=list)
    now: Sums = field(default_factory=Sums)
    before: Sums = field(default_factory=Sums)

    @property
    def estimate(self) -> stats.Estimate:
        return self.now.estimate()

    @property
    def change(self) -> stats.Change:
        return stats.compare_means(self.before.triple(), self.now.triple(), minimum_n=MINIMUM_SHOPS)


@dataclass
class Results:
    start: date
    end: date
    touchpoints: list[TouchpointResult]
    overall: stats.Estimate
    done: int
    not_done: int  # skipped or expired in the period, or open and overdue now
    trend: dict[str, Any]

    @property
    def completion(self) -> float | None:
        total = self.done + self.not_done
        return 100.0 * self.done / total if total else None


def _grouped(organisation_id: int, start: date, end: date) -> Any:
    return (
        Assignment.objects.filter(
            organisation_id=organisation_id,
            status=AssignmentStatus.DONE,
            score__isnull=False,
            shopped_on__gte=start,
            shopped_on__lte=end,
        )
        .annotate(year=ExtractYear("shopped_on"), q=ExtractQuarter("shopped_on"))
        .values("scenario_id", "year", "q")
        .annotate(n=Count("pk"), total=Sum("score"), total_sq=Sum(F("score") * F("score")))
        .order_by()
    )


def _items(organisation_id: int, start: date, end: date) -> dict[int, dict[str, list[float]]]:
    """Per scenario, per item key: the points of each answer (yes 100, no 0, score 1–5 as
    0–100) in the period."""
    points: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    rows = Assignment.objects.filter(
        organisation_id=organisation_id,
        status=AssignmentStatus.DONE,
        shopped_on__gte=start,
        shopped_on__lte=end,
    ).values_list("scenario_id", "checklist_answers", "item_scores")
    for scenario_id, answers, scores in rows.iterator(chunk_size=2000):
        for key, answer in (answers or {}).items():
            if answer in (YES, NO):
                points[scenario_id][key].append(100.0 if answer == YES else 0.0)
        for key, score in (scores or {}).items():
            if isinstance(score, int):
                points[scenario_id][key].append((score - SCORE_MIN) * 25.0)
    return points


def results(organisation_id: int, start: date, end: date, today: date) -> Results:
    """Scores per touchpoint and scenario in ``start``–``end``, compared with the period of
    the same length before it, and the trend per calendar quarter."""
    length = (end - start).days + 1
    before_start = start - timedelta(days=length)
    scenarios = {
        scenario.pk: scenario
        for scenario in Scenario.objects.filter(organisation_id=organisation_id).select_related(
            "team"
        )
    }
    per_scenario = {pk: ScenarioResult(scenario=scenario) for pk, scenario in scenarios.items()}
    quarters = [(quarter.year, quarter.number) for quarter in quarters_between(start, end)]
    trend: dict[str, dict[tuple[int, int], Sums]] = defaultdict(lambda: defaultdict(Sums))
    for row in _grouped(organisation_id, before_start, end):
        scenario = scenarios.get(row["scenario_id"])
        if scenario is None:
            continue
        key = (row["year"], row["q"])
        if key in quarters:
            trend[scenario.touchpoint][key].add(row["n"], row["total"], row["total_sq"])
    for row in _split(organisation_id, before_start, start, end):
        result = per_scenario.get(row["scenario_id"])
        if result is None:
            continue
        target = result.now if row["current"] else result.before
        target.add(row["n"], row["total"], row["total_sq"])
    item_points = _items(organisation_id, start, end)
    for pk, result in per_scenario.items():
        scenario = result.scenario
        found = item_points.get(pk, {})
        for kind, items in (("check", scenario.checklist), ("score", scenario.scoring)):
            for item in items:
                values = found.get(item["key"], [])
                result.items.append(
                    ItemResult(
                        label=item["label"],
                        kind=kind,
                        value=sum(values) / len(values) if values else None,
                        n=len(values),
                    )
                )
    touchpoints: dict[str, TouchpointResult] = {}
    for result in per_scenario.values():
        if not result.scenario.is_active and result.now.n == 0:
            continue
        touchpoint = touchpoints.setdefault(
            result.scenario.touchpoint, TouchpointResult(touchpoint=result.scenario.touchpoint)
        )
        touchpoint.scenarios.append(result)
        touchpoint.now.add(*result.now.triple())
        touchpoint.before.add(*result.before.triple())
    ordered = sorted(
        touchpoints.values(),
        key=lambda t: (t.estimate.value is None, t.estimate.value or 0.0, t.touchpoint),
    )
    for touchpoint in ordered:
        touchpoint.scenarios.sort(key=lambda r: (r.scenario.name.casefold(),))
    done, not_done = _completion(organisation_id, start, end, today)
    return Results(
        start=start,
        end=end,
        touchpoints=ordered,
        overall=average_score(organisation_id, start, end),
        done=done,
        not_done=not_done,
        trend=_trend_chart(trend, quarters, today),
    )


def _split(organisation_id: int, before_start: date, start: date, end: date) -> Any:
    return (
        Assignment.objects.filter(
            organisation_id=organisation_id,
            status=AssignmentStatus.DONE,
            score__isnull=False,
            shopped_on__gte=before_start,
            shopped_on__lte=end,
        )
        .annotate(current=Q(shopped_on__gte=start))
        .values("scenario_id", "current")
        .annotate(n=Count("pk"), total=Sum("score"), total_sq=Sum(F("score") * F("score")))
        .order_by()
    )


def _completion(organisation_id: int, start: date, end: date, today: date) -> tuple[int, int]:
    """Shops reported in the period, and shops that were not: skipped or expired (by their due
    date in the period) or still open past their due date."""
    base = Assignment.objects.filter(organisation_id=organisation_id)
    done = base.filter(
        status=AssignmentStatus.DONE, shopped_on__gte=start, shopped_on__lte=end
    ).count()
    missed = base.filter(
        status__in=[AssignmentStatus.SKIPPED, AssignmentStatus.EXPIRED],
        due_on__gte=start,
        due_on__lte=end,
    ).count()
    overdue = base.filter(
        status=AssignmentStatus.ASSIGNED, due_on__lt=today, due_on__gte=start, due_on__lte=end
    ).count()
    return done, missed + overdue


def _trend_chart(
    trend: dict[str, dict[tuple[int, int], Sums]],
    quarters: list[tuple[int, int]],
    today: date | None = None,
) -> dict[str, Any]:
    """Chart data: one line per touchpoint, the mean score per quarter (None below the
    minimum number of shops, so the chart shows a gap rather than a guess)."""
    # Quarters before the first shop say nothing: the chart starts at the first one with data.
    with_data = [key for key in quarters if any(key in sums for sums in trend.values())]
    quarters = quarters[quarters.index(with_data[0]) :] if with_data else quarters
    series = []
    for touchpoint in sorted(trend):
        values: list[float | None] = []
        counts: list[int] = []
        for key in quarters:
            sums = trend[touchpoint].get(key)
            estimate = sums.estimate() if sums else None
            counts.append(sums.n if sums else 0)
            values.append(
                round(estimate.value, 1)
                if estimate is not None and estimate.value is not None and estimate.enough
                else None
            )
        series.append({"label": touchpoint, "values": values, "n": counts})
    # A quarter that has not ended is marked: "*" on its label, and ``partial`` for the chart.
    running = [today is not None and Quarter(year, q).last >= today for year, q in quarters]
    return {
        "labels": [
            f"{year} Q{q}" + (" *" if part else "")
            for (year, q), part in zip(quarters, running, strict=True)
        ],
        "series": series,
        "partial": running,
    }


def _scored(organisation_id: int, start: date, end: date) -> Any:
    """The shops a score counts: reported (done) with a score, shopped in ``start``–``end``."""
    return Assignment.objects.filter(
        organisation_id=organisation_id,
        status=AssignmentStatus.DONE,
        score__isnull=False,
        shopped_on__gte=start,
        shopped_on__lte=end,
    )


def average_score(organisation_id: int, start: date, end: date) -> stats.Estimate:
    """THE mystery-shopping score of a period (mean 0–100, interval, n = shops): the results
    page, Practices, the index, the report and the API all read this one function."""
    row = _scored(organisation_id, start, end).aggregate(
        n=Count("pk"), total=Sum("score"), total_sq=Sum(F("score") * F("score"))
    )
    return _estimate(row["n"] or 0, float(row["total"] or 0), float(row["total_sq"] or 0))


def average_score_by_team(
    organisation_id: int, start: date, end: date
) -> dict[int | None, stats.Estimate]:
    """``average_score`` per team that serves the shopped scenario's touchpoint."""
    rows = (
        _scored(organisation_id, start, end)
        .values("scenario__team_id")
        .annotate(n=Count("pk"), total=Sum("score"), total_sq=Sum(F("score") * F("score")))
        .order_by()
    )
    return {
        row["scenario__team_id"]: _estimate(
            row["n"] or 0, float(row["total"] or 0), float(row["total_sq"] or 0)
        )
        for row in rows
    }
