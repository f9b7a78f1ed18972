"""The pure functions: the overall score, item keys, choosing a scenario, reminder stages."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outsidein.mystery.scoring import (
    ItemError,
    Option,
    Shopper,
    assign_round,
    cost,
    keyed_items,
    overall_score,
    reminder_stage,
)


@pytest.mark.parametrize(
    ("checklist", "scores", "expected"),
    [
        (["yes", "yes"], [5, 5], 100),
        (["no", "no"], [1, 1], 0),
        (["yes", "no"], [], 50),
        (["yes", "na", "no"], [3], 50),  # n/a does not count
        ([], [4], 75),
        (["yes", "no", "no"], [5], 50),
        (["yes", "no", "no", "no"], [], 25),
        (["yes"], [2], 63),  # 62.5 rounds half up
        (["na"], [], None),
        ([], [], None),
    ],
)
def test_overall_score(checklist: list[str], scores: list[int], expected: int | None) -> None:
    assert overall_score(checklist, scores) == expected


@pytest.mark.parametrize(
    ("checklist", "scores"), [(["maybe"], []), ([], [0]), ([], [6]), ([], [True])]
)
def test_overall_score_refuses_what_is_not_an_answer(checklist: list, scores: list) -> None:
    with pytest.raises(ValueError):
        overall_score(checklist, scores)


@given(
    st.lists(st.sampled_from(["yes", "no", "na"]), max_size=20),
    st.lists(st.integers(min_value=1, max_value=5), max_size=20),
)
def test_overall_score_is_between_0_and_100(checklist: list[str], scores: list[int]) -> None:
    score = overall_score(checklist, scores)
    if score is None:
        assert all(answer == "na" for answer in checklist) and not scores
    else:
        assert 0 <= score <= 100


def test_keyed_items_keep_keys_of_unchanged_labels() -> None:
    first = keyed_items(["Groet", "Naam genoemd", "  "], [], "c")
    assert first == [{"key": "c1", "label": "Groet"}, {"key": "c2", "label": "Naam genoemd"}]
    second = keyed_items(["naam  genoemd", "Terugbelafspraak", "Groet"], first, "c")
    # Case and spacing do not make a new item; a new label never reuses a key.
    assert second == [
        {"key": "c2", "label": "naam genoemd"},
        {"key": "c3", "label": "Terugbelafspraak"},
        {"key": "c1", "label": "Groet"},
    ]
    third = keyed_items(["Nieuw"], second, "c")
    assert third == [{"key": "c4", "label": "Nieuw"}]


@pytest.mark.parametrize(
    ("labels", "message"),
    [(["Groet", "groet"], "twice"), (["x" * 201], "200"), ([f"item {i}" for i in range(31)], "30")],
)
def test_keyed_items_name_the_problem(labels: list[str], message: str) -> None:
    with pytest.raises(ItemError, match=message):
        keyed_items(labels, [], "c")


OPTIONS = [Option(1, 10), Option(2, 20), Option(3, 30)]


def _rounds(shoppers: list[Shopper], options: list[Option], rounds: int) -> list[list[int]]:
    """Assign ``rounds`` rounds in a row, each shopper doing their shop; ids per shopper."""
    by_id = {option.scenario_id: option for option in options}
    load: dict[int, int] = {}
    done: list[list[int]] = [[] for _ in shoppers]
    for _ in range(rounds):
        chosen = assign_round(shoppers, options, load)
        for index, scenario_id in enumerate(chosen):
            done[index].append(scenario_id)
            load[scenario_id] = load.get(scenario_id, 0) + 1
        shoppers = [
            Shopper(s.team_id, (*s.history, by_id[c]))
            for s, c in zip(shoppers, chosen, strict=True)
        ]
    return done


def test_assign_rotates_everyone_through_every_scenario() -> None:
    done = _rounds([Shopper(None) for _ in range(3)], OPTIONS, 6)
    for ids in done:
        assert sorted(ids[:3]) == [1, 2, 3] and sorted(ids[3:]) == [1, 2, 3]
        assert all(a != b for a, b in itertools.pairwise(ids))


def test_assign_spreads_each_round_evenly() -> None:
    shoppers = [Shopper(team) for team in (10, 10, 10, 20, 20, 30, 30, 30, 30)]
    for round_ids in zip(*_rounds(shoppers, OPTIONS, 4), strict=True):
        assert sorted(Counter(round_ids).values()) == [3, 3, 3]


def test_assign_avoids_own_team_twice_in_a_row() -> None:
    # Two of four scenarios belong to team 20; its people never get one of them twice running.
    options = [Option(1, 10), Option(2, 20), Option(3, 30), Option(4, 20)]
    done = _rounds([Shopper(20) for _ in range(8)], options, 6)
    own = {2, 4}
    for ids in done:
        assert not any(a in own and b in own for a, b in itertools.pairwise(ids)), ids


def test_cost_orders_the_reasons() -> None:
    shopper = Shopper(20, (Option(1, 10), Option(2, 20)))
    load = {1: 5, 2: 0, 3: 9, 4: 0}
    assert cost(shopper, Option(3, 30), load) < cost(shopper, Option(4, 20), load)  # own twice
    assert cost(shopper, Option(4, 20), load) < cost(shopper, Option(1, 10), load)  # done before
    assert cost(shopper, Option(1, 10), load) < cost(shopper, Option(2, 20), load)  # the last one


def test_assign_is_deterministic_and_handles_large_rounds() -> None:
    shoppers = [Shopper(team % 7) for team in range(2500)]
    options = [Option(i, i % 7) for i in range(1, 6)]
    first = assign_round(shoppers, options, {})
    assert first == assign_round(shoppers, options, {})
    assert max(Counter(first).values()) - min(Counter(first).values()) <= 5


def test_assign_needs_options() -> None:
    with pytest.raises(ValueError):
        assign_round([Shopper(None)], [], {})


@pytest.mark.parametrize(
    ("today", "stage"),
    [(date(2026, 3, 1), 1), (date(2026, 3, 15), 2), (date(2026, 3, 20), 2), (date(2026, 3, 21), 3)],
)
def test_reminder_stage(today: date, stage: int) -> None:
    assert reminder_stage(date(2026, 3, 20), today, reminder_days=5) == stage
