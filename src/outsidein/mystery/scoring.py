"""Pure functions of mystery shopping: the overall score of a report, the keys of a scenario's
items, and the choice of the next scenario for a shopper. No models, no database."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

SCORE_MIN = 1
SCORE_MAX = 5
MAX_ITEMS = 30
MAX_LABEL = 200
YES, NO, NOT_APPLICABLE = "yes", "no", "na"
ANSWERS = (YES, NO, NOT_APPLICABLE)


def overall_score(checklist: Iterable[str], scores: Iterable[int]) -> int | None:
    """The report's score from 0 to 100: the mean of its points, where a checklist "yes" is 100
    and "no" is 0 ("not applicable" does not count), and a score of 1–5 is 0, 25, 50, 75 or
    100. None when nothing counts. Rounded half up, so 62.5 is 63."""
    points: list[float] = []
    for answer in checklist:
        if answer == YES:
            points.append(100.0)
        elif answer == NO:
            points.append(0.0)
        elif answer != NOT_APPLICABLE:
            raise ValueError(f"a checklist answer is yes, no or na, not {answer!r}")
    for score in scores:
        if isinstance(score, bool) or not isinstance(score, int):
            raise ValueError(f"a score is a whole number, not {score!r}")
        if not SCORE_MIN <= score <= SCORE_MAX:
            raise ValueError(f"a score is from {SCORE_MIN} to {SCORE_MAX}, not {score}")
        points.append((score - SCORE_MIN) * 100.0 / (SCORE_MAX - SCORE_MIN))
    if not points:
        return None
    return int(sum(points) / len(points) + 0.5)


class ItemError(ValueError):
    """A problem with the list of checklist or scoring items, in words for the user."""


def keyed_items(
    labels: Sequence[str], existing: Sequence[Mapping[str, str]], prefix: str
) -> list[dict[str, str]]:
    """``labels`` as items ``{"key", "label"}``. A label that was already in ``existing`` keeps
    its key (so reports keep pointing at it); a new label gets a key that was never used."""
    cleaned = [" ".join(label.split()) for label in labels]
    cleaned = [label for label in cleaned if label]
    if len(cleaned) > MAX_ITEMS:
        raise ItemError(_("At most %(n)d items.") % {"n": MAX_ITEMS})
    seen: set[str] = set()
    for label in cleaned:
        if len(label) > MAX_LABEL:
            raise ItemError(
                _("An item has at most %(n)d characters: “%(start)s…”.")
                % {"n": MAX_LABEL, "start": label[:40]}
            )
        if label.casefold() in seen:
            raise ItemError(_("“%(label)s” is in the list twice.") % {"label": label})
        seen.add(label.casefold())
    known = {item["label"].casefold(): item["key"] for item in existing}
    numbers = [
        int(match.group(1))
        for item in existing
        if (match := re.fullmatch(re.escape(prefix) + r"(\d+)", item["key"]))
    ]
    next_number = max(numbers, default=0) + 1
    items: list[dict[str, str]] = []
    for label in cleaned:
        key = known.get(label.casefold())
        if key is None:
            key = f"{prefix}{next_number}"
            next_number += 1
        items.append({"key": key, "label": label})
    return items


@dataclass(frozen=True)
class Option:
    """A scenario a shopper could be given."""

    scenario_id: int
    team_id: int | None


@dataclass(frozen=True)
class Shopper:
    """Someone to assign: their team, and their earlier shops, most recent last."""

    team_id: int | None
    history: tuple[Option, ...] = ()


def cost(shopper: Shopper, option: Option, load: Mapping[int, int]) -> float:
    """How poor a choice ``option`` is for ``shopper``, in order of weight: a scenario they have
    done more often than others (everyone rotates through all of them), the one they did last,
    their own team's touchpoint twice in a row, and a scenario shopped more than others in all
    (below one point, so it only breaks ties)."""
    done = sum(1 for earlier in shopper.history if earlier.scenario_id == option.scenario_id)
    last = shopper.history[-1] if shopper.history else None
    repeat = last is not None and last.scenario_id == option.scenario_id
    own_twice = (
        last is not None
        and shopper.team_id is not None
        and last.team_id == shopper.team_id
        and option.team_id == shopper.team_id
    )
    most = max(load.values(), default=0) + 1
    return done * 100.0 + repeat * 40.0 + own_twice * 20.0 + load.get(option.scenario_id, 0) / most


BATCH = 1000


def assign_round(
    shoppers: Sequence[Shopper], options: Sequence[Option], load: Mapping[int, int]
) -> list[int]:
    """One scenario id per shopper, at the least total ``cost``, with each scenario taking at
    most its even share of the round (so a round is spread evenly over the scenarios). An
    optimal assignment (Hungarian method) per batch of 1,000 shoppers keeps it fast for large
    organisations; the same input always gives the same answer."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    if not options:
        raise ValueError("no scenarios to choose from")
    chosen: list[int] = []
    for start in range(0, len(shoppers), BATCH):
        batch = shoppers[start : start + BATCH]
        capacity = -(-len(batch) // len(options))  # ceiling
        slots = [option for option in options for _ in range(capacity)]
        matrix = np.array([[cost(shopper, option, load) for option in slots] for shopper in batch])
        rows, columns = linear_sum_assignment(matrix)
        picked = dict(zip(rows.tolist(), columns.tolist(), strict=True))
        chosen.extend(slots[picked[index]].scenario_id for index in range(len(batch)))
    return chosen


def reminder_stage(due_on: date, today: date, reminder_days: int) -> int:
    """Which email a shopper with an open shop should have had by ``today``: 1 the
    announcement, 2 the reminder that it is due soon, 3 the notice that it is overdue."""
    if today > due_on:
        return 3
    if (due_on - today).days <= reminder_days:
        return 2
    return 1
