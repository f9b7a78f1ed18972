"""The pure practice figures, against hand-worked examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outsidein.practice import metrics
from outsidein.practice.metrics import CaseFacts, Employee

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def case(**kwargs: object) -> CaseFacts:
    base: dict[str, object] = {
        "opened_at": T0,
        "first_response_due": h(24),
        "first_response_at": None,
        "resolution_due": h(120),
        "closed_at": None,
    }
    base.update(kwargs)
    return CaseFacts(**base)  # type: ignore[arg-type]


def test_queue_figures_judge_only_items_whose_deadline_passed_or_that_were_answered() -> None:
    now = h(30)
    cases = [
        case(first_response_at=h(2), closed_at=h(10)),  # in time, closed after 10 h
        case(first_response_at=h(26)),  # late, still open (resolution due h120: not breached)
        case(),  # never answered, deadline h24 passed: a miss and breached
        case(opened_at=h(20), first_response_due=h(44), resolution_due=h(140)),  # not yet due
    ]
    figures = metrics.queue_figures(cases, now)
    assert figures.n == 4
    assert figures.within_target_n == 3
    assert figures.within_target_pct == 100 / 3
    assert figures.first_response_median_h == 14  # median of 2 and 26
    assert figures.resolution_median_h == 10
    assert figures.open == 3
    assert figures.open_breached == 1
    assert figures.backlog_oldest_age_h == 30
    assert figures.backlog_median_age_h == 30  # ages 30, 30, 10


def test_queue_figures_of_nothing_are_none_not_zero() -> None:
    figures = metrics.queue_figures([], T0)
    assert figures.within_target_pct is None
    assert figures.first_response_median_h is None
    assert figures.backlog_oldest_age_h is None


def test_loop_figures_count_only_complaints_and_follow_ups() -> None:
    cases = [
        case(closed_loop=True, first_response_at=h(1), closed_at=h(12), loop="outer"),
        case(closed_loop=True, first_response_at=h(1), closed_at=h(36), loop="inner"),
        case(closed_loop=True, first_response_at=h(1), closed_at=h(20), loop="inner"),
        case(closed_loop=True),
        case(closed_loop=False, closed_at=h(1)),  # a question: not part of the loop
    ]
    loop = metrics.loop_figures(cases)
    assert (loop.n, loop.closed) == (4, 3)
    assert loop.closure_pct == 75
    assert loop.close_median_h == 20
    assert loop.structural_pct == 100 / 3
    assert loop.structural_n == 3


def test_coverage_per_team_and_role_and_ranking() -> None:
    people = [
        Employee(1, 10, True),
        Employee(2, 10, False),
        Employee(3, 20, False),
        Employee(4, 20, False),
        Employee(5, None, True),
    ]
    contacted = {1, 3, 4}
    assert metrics.coverage(people, contacted).pct == 60
    by_team = metrics.coverage_by(people, contacted, "team_id")
    assert by_team[10].pct == 50
    assert by_team[20].pct == 100
    by_role = metrics.coverage_by(people, contacted, "customer_facing")
    assert (by_role[True].covered, by_role[True].n) == (1, 2)
    assert (by_role[False].covered, by_role[False].n) == (2, 3)
    ranked = metrics.ranked_teams(
        {k: v for k, v in by_team.items() if k is not None}, {10: "Service", 20: "IT"}
    )
    assert [name for name, _cov in ranked] == ["IT", "Service"]


def test_input_share() -> None:
    assert metrics.input_share([True, True, False, True]) == (75.0, 4)
    assert metrics.input_share([]) == (None, 0)
