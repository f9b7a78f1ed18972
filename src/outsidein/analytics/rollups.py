"""Keeping rollups equal to what recomputation from raw feedback would give.

Every write of feedback goes through ``voice.services``, which calls ``add``/``remove`` here with
the affected rows inside the same transaction. ``contribution`` is pure: one feedback's share of
one rollup row. ``rebuild`` recomputes an organisation from scratch (repair, and the reference in
the property test).
"""

from __future__ import annotations

import functools
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from outsidein.analytics.models import COUNTERS, DIMENSIONS, DailyRollup, MonthlyRollup
from outsidein.core import prepared

if TYPE_CHECKING:
    from outsidein.voice.models import Feedback

Key = tuple[date, int, int, int, str, str, str]
Counts = dict[str, int]

# The rows a key's single submissions spread over on PostgreSQL, and the one bulk writes use
# (see ``analytics.models``).
SUBMISSION_STRIPES = 16
BULK_STRIPE = 0


def submission_stripe() -> int:
    """The stripe a single submission adds to: one of 1-16 drawn at random on PostgreSQL, so
    concurrent submissions rarely meet on one row (two of four at once share a stripe one
    time in sixteen) and never wait for an import's rows; 0 on SQLite, whose writers queue
    for the whole database anyway. At random rather than by connection: a fixed pair of
    connections on one stripe would meet on every submission."""
    if connection.vendor != "postgresql":
        return BULK_STRIPE
    return random.randint(1, SUBMISSION_STRIPES)  # spreading load, not a secret


@functools.cache  # asked on every upsert; a model's fields do not change
def _striped(model: Any) -> bool:
    return any(field.name == "stripe" for field in model._meta.concrete_fields)


def key_of(feedback: Feedback) -> Key:
    day = timezone.localtime(feedback.submitted_at).date()
    return (
        day,
        feedback.survey_id or 0,
        feedback.segment_id or 0,
        feedback.team_id or 0,
        feedback.channel,
        feedback.language,
        feedback.kind,
    )


def contribution(nps: int | None, csat: int | None, ces: int | None) -> Counts:
    """The counters one piece of feedback adds to its rollup row."""
    counts = dict.fromkeys(COUNTERS, 0)
    counts["items"] = 1
    if nps is not None:
        counts["nps_n"] = 1
        band = "promoters" if nps >= 9 else "passives" if nps >= 7 else "detractors"
        counts[band] = 1
        counts[f"nps_{nps}"] = 1
    if csat is not None:
        counts["csat_n"] = 1
        counts["csat_top2"] = int(csat >= 4)
        counts["csat_sum"] = csat
    if ces is not None:
        counts["ces_n"] = 1
        counts["ces_sum"] = ces
        counts["ces_sumsq"] = ces * ces
    return counts


def deltas(rows: Iterable[Feedback], sign: int) -> dict[Key, Counts]:
    """Summed contributions per rollup key. Rows are first counted per (key, scores), so the
    counters are worked out once per distinct combination, not once per row (imports)."""
    tz = timezone.get_current_timezone()
    combinations: Counter[tuple[Key, int | None, int | None, int | None]] = Counter()
    for f in rows:
        key = (
            f.submitted_at.astimezone(tz).date(),
            f.survey_id or 0,
            f.segment_id or 0,
            f.team_id or 0,
            f.channel,
            f.language,
            f.kind,
        )
        combinations[(key, f.nps, f.csat, f.ces)] += 1
    grouped: dict[Key, Counts] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for (key, nps, csat, ces), times in combinations.items():
        target = grouped[key]
        for name, value in contribution(nps, csat, ces).items():
            if value:
                target[name] += sign * value * times
    return grouped


def apply(organisation_id: int, changes: dict[Key, Counts]) -> None:
    """Add ``changes`` to the stored daily and monthly rows in one upsert per batch, then drop
    rows that reach zero.

    ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` is race-free under concurrent
    submissions and has the same syntax on SQLite and PostgreSQL.
    """
    changes = {k: v for k, v in changes.items() if any(v.values())}
    if not changes:
        return
    monthly: dict[Key, Counts] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for key, counts in changes.items():
        target = monthly[(key[0].replace(day=1), *key[1:])]  # type: ignore[assignment]
        for name, value in counts.items():
            target[name] += value
    # No savepoint inside a caller's transaction (two statements per submission for nothing):
    # a failure here fails the caller's transaction as a whole.
    with transaction.atomic(savepoint=False):
        _upsert(DailyRollup, "day", organisation_id, changes)
        _upsert(MonthlyRollup, "month", organisation_id, monthly)
        days = {key[0] for key, counts in changes.items() if counts["items"] < 0}
        if days:
            _fold(DailyRollup, "day", organisation_id, days)
            _fold(MonthlyRollup, "month", organisation_id, {day.replace(day=1) for day in days})


def compact(organisation_id: int, today: date | None = None) -> int:
    """Fold the stripes of every key before today (before this month for the monthly rows)
    into one row: only today's rows take concurrent submissions, and a dashboard over a year
    then reads one row per key and day. The daily round runs this; returns the keys folded."""
    today = today or timezone.localdate()
    folded = 0
    with transaction.atomic():
        for model, period, before in (
            (DailyRollup, "day", today),
            (MonthlyRollup, "month", today.replace(day=1)),
        ):
            periods = set(
                model.objects.filter(
                    organisation_id=organisation_id,
                    stripe__gt=BULK_STRIPE,
                    **{f"{period}__lt": before},
                ).values_list(period, flat=True)
            )
            if periods:
                folded += _fold(model, period, organisation_id, periods)
    return folded


def _fold(model: Any, period: str, organisation_id: int, periods: set[date]) -> int:
    """On these days (months): each key's stripes merged into one row on the bulk stripe, and
    a key whose counters all sum to zero dropped; returns the keys changed. After a removal
    (it subtracts on a stripe of its own, so a key can be left as +1 on one row and -1 on
    another) and in ``compact``. The rows are locked first: a submission adding to one of
    them meanwhile waits, then finds it gone and inserts its row anew."""
    dimensions = DIMENSIONS[1:]
    rows = (
        model.objects.select_for_update()
        .filter(organisation_id=organisation_id, **{f"{period}__in": periods})
        .order_by("pk")
        .values("pk", period, *dimensions, *COUNTERS)
    )
    grouped: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[(row[period], *(row[d] for d in dimensions))].append(row)
    dropped: list[int] = []
    merged: dict[tuple[Any, ...], Counts] = {}
    folded = 0
    for key, members in grouped.items():
        sums = {name: sum(member[name] for member in members) for name in COUNTERS}
        if len(members) == 1 and any(sums.values()):
            continue
        folded += 1
        dropped.extend(member["pk"] for member in members)
        if any(sums.values()):
            merged[key] = sums
    if dropped:
        model.objects.filter(pk__in=dropped).delete()
    if merged:
        upsert_increments(
            model, [period, *dimensions], COUNTERS, organisation_id, merged, stripe=BULK_STRIPE
        )
    return folded


def _upsert(model: Any, period: str, organisation_id: int, changes: dict[Key, Counts]) -> None:
    upsert_increments(model, [period, *DIMENSIONS[1:]], COUNTERS, organisation_id, changes)


def _upsert_sql(
    model: Any, dimensions: Sequence[str], counters: Sequence[str], source: str = ""
) -> str:
    return _upsert_text(model, tuple(dimensions), tuple(counters), source)


def _stripe_for(model: Any, rows: int, stripe: int | None) -> int | None:
    """The stripe column's value for an upsert of ``rows`` rows into ``model`` (None: the
    model has no stripes): one row is a submission's, more a bulk write's."""
    if not _striped(model):
        return None
    if stripe is not None:
        return stripe
    return submission_stripe() if rows == 1 else BULK_STRIPE


@functools.cache
def _upsert_text(
    model: Any, dimensions: tuple[str, ...], counters: tuple[str, ...], source: str
) -> str:
    table = model._meta.db_table
    keys = [*dimensions, "stripe"] if _striped(model) else list(dimensions)
    columns = ["organisation_id", *keys, *counters]
    # The table as "r": a shorter statement (``voice.single_statement`` holds two of these).
    increments = ", ".join(f"{c} = r.{c} + excluded.{c}" for c in counters)
    placeholders = ", ".join(["%s"] * len(columns))
    # From ``source`` (a relation of the enclosing statement): a row only where it has one.
    values = (
        f"SELECT {placeholders} FROM {source}"  # noqa: S608  (placeholders, a relation's name)
        if source
        else f"VALUES ({placeholders})"
    )
    return (
        f"INSERT INTO {table} AS r ({', '.join(columns)}) {values} "
        f"ON CONFLICT (organisation_id, {', '.join(keys)}) DO UPDATE SET {increments}"
    )


def _upsert_params(
    organisation_id: int,
    key: tuple[Any, ...],
    counts: Mapping[str, Any],
    counters: Sequence[str],
    stripe: int | None,
) -> list[Any]:
    return [
        organisation_id,
        connection.ops.adapt_datefield_value(key[0]),
        *key[1:],
        *(() if stripe is None else (stripe,)),
        *(counts[c] for c in counters),
    ]


def upsert_statements(
    organisation_id: int, feedback: Feedback, *, source: str = ""
) -> list[tuple[str, list[Any]]]:
    """The day's and the month's upsert of one new piece of feedback, as (SQL, parameters),
    for a caller that sends them inside a statement of its own (``voice.single_statement``),
    each adding its row only where ``source`` (a relation there) has one."""
    [(day_key, counts)] = deltas([feedback], +1).items()
    month_key = (day_key[0].replace(day=1), *day_key[1:])
    stripe = submission_stripe()
    return [
        (
            _upsert_sql(model, [period, *DIMENSIONS[1:]], COUNTERS, source),
            _upsert_params(organisation_id, key, counts, COUNTERS, stripe),
        )
        for model, period, key in (
            (DailyRollup, "day", day_key),
            (MonthlyRollup, "month", month_key),
        )
    ]


def upsert_increments(
    model: Any,
    dimensions: Sequence[str],
    counters: Sequence[str],
    organisation_id: int,
    changes: Mapping[tuple[Any, ...], Mapping[str, Any]],
    *,
    stripe: int | None = None,
) -> None:
    """Add ``changes`` (key: the dimensions' values, the period's date first → the counters'
    increments) to a rollup table in one race-free ``INSERT … ON CONFLICT DO UPDATE`` per row,
    on SQLite and PostgreSQL alike. The analytics and theme rollups both write this way.
    ``stripe``: the row's stripe in a striped table (by default: a single row a submission's
    stripe drawn at random, more the bulk stripe)."""
    sql = _upsert_sql(model, dimensions, counters)
    row_stripe = _stripe_for(model, len(changes), stripe)
    params = [
        _upsert_params(organisation_id, key, counts, counters, row_stripe)
        for key, counts in changes.items()
    ]
    if len(params) == 1:
        # A submission: one row, through a cursor PostgreSQL plans once per connection
        # (``core.prepared``), with ``execute`` (psycopg's ``executemany`` opens a pipeline).
        with prepared.cursor() as cursor:
            cursor.execute(sql, params[0])
        return
    with connection.cursor() as cursor:
        for start in range(0, len(params), 1000):
            cursor.executemany(sql, params[start : start + 1000])


def add(organisation_id: int, rows: Iterable[Feedback]) -> None:
    apply(organisation_id, deltas(rows, +1))


def remove(organisation_id: int, rows: Iterable[Feedback]) -> None:
    apply(organisation_id, deltas(rows, -1))


def rebuild(organisation_id: int) -> int:
    """Recompute every rollup row of an organisation from its feedback; return the row count."""
    from outsidein.voice.models import Feedback

    with transaction.atomic():
        DailyRollup.objects.filter(organisation_id=organisation_id).delete()
        MonthlyRollup.objects.filter(organisation_id=organisation_id).delete()
        rows = Feedback.objects.filter(organisation_id=organisation_id).only(
            "submitted_at",
            "survey_id",
            "segment_id",
            "team_id",
            "channel",
            "language",
            "kind",
            "nps",
            "csat",
            "ces",
        )
        grouped = deltas(rows.iterator(chunk_size=5000), +1)
        apply(organisation_id, grouped)
    return len(grouped)


def snapshot(organisation_id: int, *, monthly: bool = False) -> dict[Key, Counts]:
    """The stored daily (or monthly) figures as plain data (for comparisons): each key's
    stripes summed, keys whose counters are all zero left out."""
    result: dict[Key, Counts] = {}
    model: Any = MonthlyRollup if monthly else DailyRollup
    period = "month" if monthly else "day"
    rows: Iterable[Any] = model.objects.filter(organisation_id=organisation_id).values()
    for row in rows:
        key: Any = (row[period], *(row[d] for d in DIMENSIONS[1:]))
        target = result.setdefault(key, dict.fromkeys(COUNTERS, 0))
        for name in COUNTERS:
            target[name] += row[name]
    return {key: counts for key, counts in result.items() if any(counts.values())}
