"""The theme rollup: kept equal to what recomputation from the analyses would give.

Every write that changes what an analysis counts towards (analysing, re-analysing, a
correction, renaming, merging or dropping a theme, editing or deleting the feedback) runs
inside ``tracking(organisation_id, feedback_ids)``: the contributions of those comments are
read before and after the change, and the difference is upserted into the daily and monthly
rows in the same transaction. ``contribution`` is pure; ``rebuild`` recomputes an organisation
from scratch (repair, and the reference of the property test).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from outsidein.analytics.rollups import upsert_increments
from outsidein.text.models import (
    THEME_ROLLUP_COUNTERS,
    THEME_ROLLUP_DIMENSIONS,
    DailyThemeRollup,
    MonthlyThemeRollup,
)

COUNTERS = THEME_ROLLUP_COUNTERS
SCALE = 1_000_000  # scores are summed in millionths: integer sums never drift
ALL = ""  # the theme of the row that counts every analysed comment
ANY = -1  # the segment or team id of a row that counts every segment or team (a marginal row)

Key = tuple[date, str, int, int, str]  # day, theme, segment id, team id, sentiment
Counts = dict[str, int]


@dataclass(frozen=True, slots=True)
class Source:
    """What one analysed comment counts towards: its feedback's day, segment, team and scores,
    and its analysis's sentiment, score and themes."""

    day: date
    segment_id: int
    team_id: int
    nps: int | None
    csat: int | None
    sentiment: str
    score: float
    themes: tuple[str, ...]


def contribution(source: Source) -> dict[Key, Counts]:
    """The counters one analysed comment adds: to the all-comments row and to each theme's,
    each at four grains: its segment × its team, its segment × any team (``ANY``), any segment
    × its team, and any segment × any team. The pages read the coarsest grain that answers
    them, so what they sum does not grow with the number of segments and teams."""
    counts = dict.fromkeys(COUNTERS, 0)
    counts["n"] = 1
    micro = round(source.score * SCALE)
    counts["score_sum"] = micro
    counts["score_sq"] = micro * micro
    if source.nps is not None:
        band = "promoters" if source.nps >= 9 else "passives" if source.nps >= 7 else "detractors"
        counts[band] = 1
    if source.csat is not None:
        counts["csat_n"] = 1
        counts["csat_top2"] = int(source.csat >= 4)
    grains = (
        (source.segment_id, source.team_id),
        (source.segment_id, ANY),
        (ANY, source.team_id),
        (ANY, ANY),
    )
    return {
        (source.day, theme, segment_id, team_id, source.sentiment): counts
        for theme in (ALL, *sorted(set(source.themes)))
        for segment_id, team_id in grains
    }


def deltas(sources: Iterable[Source], sign: int) -> dict[Key, Counts]:
    grouped: dict[Key, Counts] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for source in sources:
        for key, counts in contribution(source).items():
            target = grouped[key]
            for name, value in counts.items():
                if value:
                    target[name] += sign * value
    return grouped


def _local_day(moment: datetime | str) -> date:
    if isinstance(moment, str):  # raw SQL on SQLite
        moment = datetime.fromisoformat(moment)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return timezone.localtime(moment).date()


def sources(organisation_id: int, feedback_ids: Sequence[int] | None = None) -> list[Source]:
    """The sources of the organisation's analysed comments (of ``feedback_ids`` when given)."""
    from outsidein.text.models import FeedbackAnalysis

    rows = FeedbackAnalysis.objects.filter(organisation_id=organisation_id)
    found: list[Source] = []
    fields = (
        "feedback__submitted_at",
        "feedback__segment_id",
        "feedback__team_id",
        "feedback__nps",
        "feedback__csat",
        "sentiment",
        "score",
        "themes",
    )
    parts: Iterable[Any]
    if feedback_ids is None:
        parts = [rows.values_list(*fields).iterator(chunk_size=5000)]
    else:
        ids = list(feedback_ids)
        parts = (
            rows.filter(feedback_id__in=ids[start : start + 5000]).values_list(*fields)
            for start in range(0, len(ids), 5000)
        )
    for part in parts:
        for submitted_at, segment_id, team_id, nps, csat, sentiment, score, themes in part:
            found.append(
                Source(
                    _local_day(submitted_at),
                    segment_id or 0,
                    team_id or 0,
                    nps,
                    csat,
                    sentiment,
                    float(score or 0.0),
                    tuple(themes or ()),
                )
            )
    return found


def apply(organisation_id: int, changes: dict[Key, Counts]) -> None:
    """Add ``changes`` to the daily and monthly rows (one upsert per batch), then drop rows
    that reach zero."""
    changes = {k: v for k, v in changes.items() if any(v.values())}
    if not changes:
        return
    monthly: dict[Key, Counts] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for key, counts in changes.items():
        target = monthly[(key[0].replace(day=1), *key[1:])]  # type: ignore[assignment]
        for name, value in counts.items():
            target[name] += value
    with transaction.atomic():
        _upsert(DailyThemeRollup, "day", organisation_id, changes)
        _upsert(MonthlyThemeRollup, "month", organisation_id, monthly)
        if any(counts["n"] < 0 for counts in changes.values()):
            # Only the days and months just changed can have reached zero: found along the
            # key's index, not by reading the organisation's whole rollup.
            days = {key[0] for key, counts in changes.items() if counts["n"] < 0}
            months = {day.replace(day=1) for day in days}
            DailyThemeRollup.objects.filter(
                organisation_id=organisation_id, day__in=days, n__lte=0
            ).delete()
            MonthlyThemeRollup.objects.filter(
                organisation_id=organisation_id, month__in=months, n__lte=0
            ).delete()


def _upsert(model: Any, period: str, organisation_id: int, changes: dict[Key, Counts]) -> None:
    dimensions = [period, *THEME_ROLLUP_DIMENSIONS]
    upsert_increments(model, dimensions, COUNTERS, organisation_id, changes)


@contextlib.contextmanager
def tracking(organisation_id: int, feedback_ids: Sequence[int] | None) -> Iterator[None]:
    """Keep the rollup in step with a change to these comments' analyses or feedback (all of
    the organisation's when None): their contributions before, then after, in one transaction.
    """
    with transaction.atomic():
        before = sources(organisation_id, feedback_ids)
        yield
        after = sources(organisation_id, feedback_ids)
        changes = deltas(after, +1)
        for key, counts in deltas(before, -1).items():
            target = changes.setdefault(key, dict.fromkeys(COUNTERS, 0))
            for name, value in counts.items():
                target[name] += value
        apply(organisation_id, changes)


def rebuild(organisation_id: int) -> int:
    """Recompute the organisation's theme rollup from its analyses; return the daily rows."""
    with transaction.atomic():
        DailyThemeRollup.objects.filter(organisation_id=organisation_id).delete()
        MonthlyThemeRollup.objects.filter(organisation_id=organisation_id).delete()
        grouped = deltas(sources(organisation_id), +1)
        apply(organisation_id, grouped)
    return len(grouped)


def snapshot(organisation_id: int, *, monthly: bool = False) -> dict[Key, Counts]:
    """The stored daily (or monthly) rows as plain data (for comparisons)."""
    model: Any = MonthlyThemeRollup if monthly else DailyThemeRollup
    period = "month" if monthly else "day"
    result: dict[Key, Counts] = {}
    for row in model.objects.filter(organisation_id=organisation_id).values():
        key: Any = (row[period], *(row[d] for d in THEME_ROLLUP_DIMENSIONS))
        result[key] = {name: row[name] for name in COUNTERS}
    return result
