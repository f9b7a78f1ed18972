"""Pure figures for the practice norms: plain values in, numbers out, no database. The loaders
in ``reports`` turn rows into these inputs."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


def share(hits: int, n: int) -> float | None:
    """A percentage, or None when there is nothing to count (never a zero for "no data")."""
    return None if n == 0 else 100.0 * hits / n


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600.0


@dataclass(frozen=True)
class CaseFacts:
    opened_at: datetime
    first_response_due: datetime | None
    first_response_at: datetime | None
    resolution_due: datetime | None
    closed_at: datetime | None
    closed_loop: bool = False  # a complaint or follow-up
    loop: str = ""  # "inner", "outer" or ""
    team_id: int | None = None
    waiting: bool = False  # waiting for the customer: the clock has stopped


@dataclass(frozen=True)
class QueueFigures:
    n: int
    open: int
    open_breached: int
    first_response_median_h: float | None
    resolution_median_h: float | None
    # Of the items whose first-response deadline has passed or that were answered: the share
    # answered in time. Items still within their deadline are not counted either way.
    within_target_pct: float | None
    within_target_n: int
    backlog_median_age_h: float | None
    backlog_oldest_age_h: float | None


def queue_figures(cases: Iterable[CaseFacts], now: datetime) -> QueueFigures:
    cases = list(cases)
    first, resolve, ages = [], [], []
    judged = in_time = breached = still_open = 0
    for case in cases:
        if case.first_response_at is not None:
            first.append(hours(case.opened_at, case.first_response_at))
        if case.closed_at is not None:
            resolve.append(hours(case.opened_at, case.closed_at))
        else:
            still_open += 1
            ages.append(hours(case.opened_at, now))
            due = case.first_response_due if case.first_response_at is None else case.resolution_due
            if due is not None and due < now and not case.waiting:
                breached += 1
        due = case.first_response_due
        if due is None:
            continue
        if case.first_response_at is not None:
            judged += 1
            in_time += case.first_response_at <= due
        elif due < now:
            judged += 1
    return QueueFigures(
        n=len(cases),
        open=still_open,
        open_breached=breached,
        first_response_median_h=median(first),
        resolution_median_h=median(resolve),
        within_target_pct=share(in_time, judged),
        within_target_n=judged,
        backlog_median_age_h=median(ages),
        backlog_oldest_age_h=max(ages) if ages else None,
    )


@dataclass(frozen=True)
class LoopFigures:
    n: int
    closed: int
    closure_pct: float | None
    close_median_h: float | None
    # Of the closed loops with a verdict: the share whose cause went to a structural fix.
    structural_pct: float | None
    structural_n: int


def loop_figures(cases: Iterable[CaseFacts]) -> LoopFigures:
    loops = [case for case in cases if case.closed_loop]
    closed = [case for case in loops if case.closed_at is not None]
    judged = [case for case in closed if case.loop]
    outer = sum(1 for case in judged if case.loop == "outer")
    return LoopFigures(
        n=len(loops),
        closed=len(closed),
        closure_pct=share(len(closed), len(loops)),
        close_median_h=median([hours(c.opened_at, c.closed_at) for c in closed if c.closed_at]),
        structural_pct=share(outer, len(judged)),
        structural_n=len(judged),
    )


@dataclass(frozen=True)
class Employee:
    person_id: int
    team_id: int | None
    customer_facing: bool


@dataclass(frozen=True)
class Coverage:
    n: int
    covered: int
    pct: float | None


def coverage(people: Iterable[Employee], contacted: set[int]) -> Coverage:
    people = list(people)
    covered = sum(1 for person in people if person.person_id in contacted)
    return Coverage(n=len(people), covered=covered, pct=share(covered, len(people)))


def coverage_by(
    people: Iterable[Employee], contacted: set[int], key: str
) -> dict[object, Coverage]:
    """Coverage per team ("team_id") or per role kind ("customer_facing")."""
    groups: dict[object, list[Employee]] = defaultdict(list)
    for person in people:
        groups[getattr(person, key)].append(person)
    return {group: coverage(members, contacted) for group, members in groups.items()}


def ranked_teams(by_team: dict[int, Coverage], names: dict[int, str]) -> list[tuple[str, Coverage]]:
    """Teams from best to worst coverage; teams without people are left out. Teams, not people,
    are ranked: individual leaderboards invite gaming."""
    rows = [(names.get(team_id, "?"), cov) for team_id, cov in by_team.items() if cov.n]
    return sorted(rows, key=lambda row: (-(row[1].pct or 0.0), row[0]))


def input_share(with_input: Iterable[bool]) -> tuple[float | None, int]:
    """The share of decisions that cite customer input, and n."""
    flags = list(with_input)
    return share(sum(flags), len(flags)), len(flags)
