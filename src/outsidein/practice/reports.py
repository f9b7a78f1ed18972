"""Loads the rows behind the practice figures and hands them to the pure functions in
``metrics``: the queue, the closed loop, contact coverage and decisions with customer input."""

from __future__ import annotations

from collections import defaultdict
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from outsidein.analytics.services import month_end
from outsidein.core.models import Person, PersonState, Team
from outsidein.core.periods import Quarter, month_starts
from outsidein.practice import metrics
from outsidein.practice.models import (
    Case,
    CaseKind,
    CaseStatus,
    Contact,
    Decision,
    DecisionStatus,
)

# A memo for figures several norms share (the queue and the loop read one queue report), set
# only while one page or report is being computed, so nothing outlives the request.
shared_memo: ContextVar[dict[Any, Any] | None] = ContextVar("practice_shared_memo", default=None)


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Aware datetimes from the start of the first day to the start of the day after the last."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


# --- the queue and the closed loop ----------------------------------------------------------------


def _facts(queryset: Any) -> list[metrics.CaseFacts]:
    rows = queryset.values_list(
        "opened_at",
        "first_response_due",
        "first_response_at",
        "resolution_due",
        "closed_at",
        "kind",
        "loop",
        "team_id",
        "status",
    )
    loop_kinds = {CaseKind.COMPLAINT, CaseKind.FOLLOW_UP}
    return [
        metrics.CaseFacts(
            opened_at=opened,
            first_response_due=first_due,
            first_response_at=first_at,
            resolution_due=resolve_due,
            closed_at=closed,
            closed_loop=kind in loop_kinds,
            loop=loop,
            team_id=team_id,
            waiting=status == CaseStatus.WAITING,
        )
        for opened, first_due, first_at, resolve_due, closed, kind, loop, team_id, status in rows
    ]


def case_facts(organisation_id: int, start: date, end: date) -> list[metrics.CaseFacts]:
    low, high = day_bounds(start, end)
    return _facts(
        Case.objects.filter(organisation_id=organisation_id, opened_at__gte=low, opened_at__lt=high)
    )


def by_team(facts: list[metrics.CaseFacts]) -> dict[int | None, list[metrics.CaseFacts]]:
    groups: dict[int | None, list[metrics.CaseFacts]] = defaultdict(list)
    for fact in facts:
        groups[fact.team_id].append(fact)
    return groups


@dataclass(frozen=True)
class TeamRow:
    team: Team | None
    queue: metrics.QueueFigures
    loop: metrics.LoopFigures


def open_case_facts(organisation_id: int) -> list[metrics.CaseFacts]:
    """Every item not closed yet, however old: the backlog is not limited to a period."""
    return _facts(
        Case.objects.filter(organisation_id=organisation_id).exclude(status=CaseStatus.CLOSED)
    )


def _with_backlog(
    flow: metrics.QueueFigures, backlog: metrics.QueueFigures
) -> metrics.QueueFigures:
    return replace(
        flow,
        open=backlog.open,
        open_breached=backlog.open_breached,
        backlog_median_age_h=backlog.backlog_median_age_h,
        backlog_oldest_age_h=backlog.backlog_oldest_age_h,
    )


def queue_report(
    organisation_id: int,
    start: date,
    end: date,
    now: datetime | None = None,
    *,
    with_backlog: bool = True,
) -> tuple[metrics.QueueFigures, metrics.LoopFigures, list[TeamRow]]:
    """Flow figures (response times, % within target, loops) for the items opened in the
    period; with ``with_backlog`` the open/overdue/age figures cover every open item."""
    now = now or timezone.now()
    facts = case_facts(organisation_id, start, end)
    teams = {team.pk: team for team in Team.objects.filter(organisation_id=organisation_id)}
    flow_groups = by_team(facts)
    totals = metrics.queue_figures(facts, now)
    backlog_groups: dict[int | None, list[metrics.CaseFacts]] = {}
    if with_backlog:
        backlog = open_case_facts(organisation_id)
        backlog_groups = by_team(backlog)
        totals = _with_backlog(totals, metrics.queue_figures(backlog, now))
    rows = []
    for team_id in set(flow_groups) | set(backlog_groups):
        queue = metrics.queue_figures(flow_groups.get(team_id, []), now)
        if with_backlog:
            queue = _with_backlog(
                queue, metrics.queue_figures(backlog_groups.get(team_id, []), now)
            )
        rows.append(
            TeamRow(
                teams.get(team_id) if team_id else None,
                queue,
                metrics.loop_figures(flow_groups.get(team_id, [])),
            )
        )
    rows.sort(key=lambda row: (row.team is None, row.team.name if row.team else ""))
    return totals, metrics.loop_figures(facts), rows


# --- contacts -------------------------------------------------------------------------------------


def employees(organisation_id: int, on: date) -> list[metrics.Employee]:
    """People who worked here on that day, with the team and role type they had then (from
    their PersonState history; someone without history counts as they are now, if active)."""
    _low, high = day_bounds(on, on)
    then: dict[int, tuple[int | None, bool, bool]] = {}
    for person_id, *state in (
        PersonState.objects.filter(organisation_id=organisation_id, since__lt=high)
        .order_by("since", "pk")
        .values_list("person_id", "team_id", "customer_facing", "is_active")
    ):
        then[person_id] = tuple(state)  # type: ignore[assignment]  # the last before the day's end wins
    people = []
    rows = Person.objects.filter(organisation_id=organisation_id, created_at__lt=high).values_list(
        "pk", "team_id", "customer_facing", "is_active"
    )
    for pk, team_now, facing_now, active_now in rows:
        team_id, facing, active = then.get(pk, (team_now, facing_now, active_now))
        if active:
            people.append(metrics.Employee(pk, team_id, facing))
    return people


def contacted_people(organisation_id: int, start: date, end: date, minimum: int = 1) -> set[int]:
    counts: dict[int, int] = defaultdict(int)
    for person_id in Contact.objects.filter(
        organisation_id=organisation_id, happened_on__gte=start, happened_on__lte=end
    ).values_list("person_id", flat=True):
        counts[person_id] += 1
    return {person_id for person_id, count in counts.items() if count >= minimum}


@dataclass(frozen=True)
class CoverageReport:
    start: date
    end: date
    organisation: metrics.Coverage
    customer_facing: metrics.Coverage
    others: metrics.Coverage
    by_team: dict[int | None, metrics.Coverage]


def coverage_report(
    organisation_id: int, start: date, end: date, minimum: int = 1
) -> CoverageReport:
    people = employees(organisation_id, end)
    contacted = contacted_people(organisation_id, start, end, minimum)
    roles = metrics.coverage_by(people, contacted, "customer_facing")
    empty = metrics.Coverage(0, 0, None)
    return CoverageReport(
        start=start,
        end=end,
        organisation=metrics.coverage(people, contacted),
        customer_facing=roles.get(True, empty),
        others=roles.get(False, empty),
        by_team=metrics.coverage_by(people, contacted, "team_id"),  # type: ignore[arg-type]
    )


def coverage_trend(
    organisation_id: int, today: date, months: int = 12, minimum: int = 1
) -> list[CoverageReport]:
    return [
        coverage_report(organisation_id, first, min(month_end(first), today), minimum)
        for first in month_starts(today, months)
    ]


# --- decisions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionFacts:
    team_id: int | None
    quarter: str
    with_input: bool


def decision_facts(organisation_id: int, start: date, end: date) -> list[DecisionFacts]:
    """Decisions taken (or taken and later reversed) in the period. "With input" means it cites
    at least one piece of customer evidence."""
    rows = list(
        Decision.objects.filter(
            organisation_id=organisation_id,
            decided_on__gte=start,
            decided_on__lte=end,
        )
        .exclude(status=DecisionStatus.PROPOSED)
        .values_list("pk", "team_id", "decided_on")
    )
    cited = set(
        Decision.objects.filter(pk__in=[pk for pk, *_rest in rows], evidence__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    return [
        DecisionFacts(team_id, str(Quarter.of(day)), pk in cited)
        for pk, team_id, day in rows
        if day is not None
    ]


def input_by(facts: list[DecisionFacts], key: str) -> dict[object, tuple[float | None, int]]:
    groups: dict[object, list[bool]] = defaultdict(list)
    for fact in facts:
        groups[getattr(fact, key)].append(fact.with_input)
    return {group: metrics.input_share(flags) for group, flags in groups.items()}
